"""python -m app.train: a model good enough to serve, saved where asked."""

from pathlib import Path

from app.model import IrisModel
from app.schemas import SETOSA
from app.train import main, train


def test_training_saves_an_accurate_model(tmp_path: Path) -> None:
    report = train(tmp_path / "model.joblib")

    assert report.accuracy >= 0.9
    model = IrisModel.load(report.path)
    assert model.version == report.version
    assert model.predict([list(SETOSA.values())])[0].label == "setosa"


def test_command_line_writes_to_output(tmp_path: Path) -> None:
    output = tmp_path / "nested" / "model.joblib"

    main(["--output", str(output)])

    assert output.is_file()
