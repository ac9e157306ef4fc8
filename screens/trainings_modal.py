"""Register a signalling training or awareness session, or edit one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input

from casebook.i18n import t
from casebook.services import trainings
from casebook.services.trainings import TrainingInput
from screens.case_form_modal import FormModal
from screens.widgets.forms import DateInput, FormField


class TrainingModal(FormModal):
    def __init__(self, training=None, *, today=None):
        super().__init__()
        self.training = training
        self.today = today

    def heading(self) -> Text:
        return Text(t("trainings.edit_title" if self.training else "trainings.add_title"))

    def fields(self) -> ComposeResult:
        tr = self.training
        yield FormField(
            "held_on",
            "trainings.held_on",
            DateInput(tr.held_on if tr else self.today, id="training-date"),
            required=True,
        )
        yield FormField(
            "audience",
            "trainings.audience",
            Input(tr.audience if tr else "", id="training-audience"),
            required=True,
        )
        yield FormField(
            "participants",
            "trainings.participants",
            Input(str(tr.participants) if tr else "", id="training-participants"),
            required=True,
        )
        yield FormField(
            "provider",
            "trainings.provider",
            Input(tr.provider if tr else "", id="training-provider"),
        )
        yield FormField(
            "notes", "trainings.notes", Input(tr.notes if tr else "", id="training-notes")
        )

    def collect(self) -> TrainingInput:
        def value(name: str) -> str:
            return self.query_one(f"#training-{name}", Input).value

        return TrainingInput(
            held_on=self.query_one("#training-date", DateInput).value,
            audience=value("audience"),
            participants=value("participants"),
            provider=value("provider"),
            notes=value("notes"),
        )

    def apply(self, session, data: TrainingInput):
        if self.training is not None:
            return trainings.edit_training(
                session, self.training.id, data, expected_version=self.training.version
            )
        return trainings.add_training(session, data)
