"""derive_names: the one place a display name becomes a folder, a distribution and a prefix."""

from __future__ import annotations

from typing import Any

import pytest
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

from fastml_scaffold.errors import InvalidNameError
from fastml_scaffold.naming import MAX_NAME_LENGTH, MODEL_FILES, derive_names
from fastml_scaffold.templates import load_template, template_dir


def test_plain_name_gives_slug_env_prefix_and_package() -> None:
    names = derive_names("Iris Service")

    assert names.display_name == "Iris Service"
    assert names.slug == "iris-service"
    assert names.env_prefix == "IRIS_SERVICE_"
    assert names.package == "app"


def test_surrounding_whitespace_is_dropped_from_the_display_name() -> None:
    names = derive_names("  Iris Service \t")

    assert names.display_name == "Iris Service"
    assert names.slug == "iris-service"


@pytest.mark.parametrize(
    ("name", "slug", "env_prefix"),
    [
        ("Café Ünïcode", "cafe-unicode", "CAFE_UNICODE_"),
        ("Ærø straße", "aero-strasse", "AERO_STRASSE_"),
        ("Ünïcode—dash", "unicode-dash", "UNICODE_DASH_"),
    ],
)
def test_unicode_name_is_transliterated_to_an_ascii_slug(
    name: str, slug: str, env_prefix: str
) -> None:
    names = derive_names(name)

    assert names.display_name == name
    assert names.slug == slug
    assert names.env_prefix == env_prefix


def test_digits_after_the_first_letter_are_kept() -> None:
    names = derive_names("Model v2 API")

    assert names.slug == "model-v2-api"
    assert names.env_prefix == "MODEL_V2_API_"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("!!!", id="punctuation-only"),
        pytest.param("123 service", id="starts-with-digit"),
        pytest.param("{{ cookiecutter.x }}", id="jinja-expression"),
        pytest.param("{% if %}", id="jinja-statement"),
        pytest.param("{# note #}", id="jinja-comment"),
        pytest.param("a/b", id="slash"),
        pytest.param("a\\b", id="backslash"),
        pytest.param("Iris\nService", id="newline"),
        pytest.param("Iris\tService", id="tab"),
        pytest.param("a" * 200, id="200-chars"),
        pytest.param("a" + " b" * 40, id="long-display-name"),
        pytest.param('The "Best" Service', id="double-quote"),
    ],
)
def test_unusable_name_is_rejected(name: str) -> None:
    with pytest.raises(InvalidNameError) as excinfo:
        derive_names(name)

    message = str(excinfo.value)
    assert message
    assert "\n" not in message  # the CLI prints it as one line


def test_slug_of_exactly_the_maximum_length_is_accepted() -> None:
    names = derive_names("a" * MAX_NAME_LENGTH)

    assert names.slug == "a" * MAX_NAME_LENGTH


def test_slug_one_longer_than_the_maximum_is_rejected() -> None:
    with pytest.raises(InvalidNameError, match="too long"):
        derive_names("a" * (MAX_NAME_LENGTH + 1))


def _cookiecutter_derivations(project_name: str, **answers: str) -> dict[str, Any]:
    """Render the project template's cookiecutter.json as plain Cookiecutter would."""
    context_file = template_dir("project") / "cookiecutter.json"
    context = generate_context(
        context_file=str(context_file), extra_context={"project_name": project_name, **answers}
    )
    return dict(prompt_for_config(context, no_input=True))


@pytest.mark.parametrize(
    "name",
    [
        "Iris Service",
        "Café Ünïcode",
        "Ærø straße",
        "Bob's Best (Iris) Service",
        "X_y.z 2",
        "Model v2 API",
        "  Spaced   Out  ",
        "日本 Service",
    ],
)
def test_template_jinja_derivations_agree_with_derive_names(name: str) -> None:
    names = derive_names(name)

    rendered = _cookiecutter_derivations(name)

    assert rendered["project_slug"] == names.slug
    assert rendered["env_prefix"] == names.env_prefix


@pytest.mark.parametrize("framework", sorted(MODEL_FILES))
def test_template_model_file_agrees_with_model_files(framework: str) -> None:
    rendered = _cookiecutter_derivations("Iris Service", model_framework=framework)

    assert rendered["model_file"] == MODEL_FILES[framework]


def test_every_framework_choice_has_a_model_file() -> None:
    choices = _cookiecutter_derivations("Iris Service")

    assert set(MODEL_FILES) == set(load_template("project").questions["model_framework"].choices)
    assert choices["model_file"] == MODEL_FILES["sklearn"]
