"""Correcting a recorded signal (`e` on the signals tab): the fields of the intake form
that belong to the signal itself, filled in as recorded, and the case's location (where
the signal was seen, what a location-based case is about). The persons are corrected
elsewhere."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, TextArea

from casebook.i18n import t
from casebook.services import intake
from casebook.services.intake import SignalInput
from screens.case_form_modal import FormModal
from screens.widgets.forms import CodeSelect, DateInput, FormField
from screens.widgets.indicators import IndicatorChecklist
from screens.widgets.ticks import TickBox


class SignalModal(FormModal):
    TITLE_KEY = "case.signal.edit_title"
    DEFAULT_CSS = """
    SignalModal Horizontal { height: auto; }
    SignalModal Horizontal > FormField { width: 1fr; margin-right: 1; }
    SignalModal TextArea { height: 6; }
    """

    def __init__(self, signal, indicators: list[str], *, case_version: int, case=None):
        super().__init__()
        self.signal = signal
        self.indicators = indicators
        self.case_version = case_version
        self.case = case  # for its location (None: the location is not offered)

    def fields(self) -> ComposeResult:
        s = self.signal
        with Horizontal():
            yield FormField(
                "received_on",
                "intake.field.received_on",
                DateInput(s.received_on, id="signal-received-on"),
                required=True,
            )
            yield FormField(
                "channel",
                "intake.field.channel",
                CodeSelect("signal_channels", value=s.channel, id="signal-channel"),
                required=True,
            )
            yield FormField(
                "source_role",
                "intake.field.source_role",
                CodeSelect("source_roles", value=s.source_role, id="signal-source"),
                required=True,
            )
        yield FormField(
            "reporter_anonymous",
            "intake.field.anonymous",
            TickBox(t("intake.anonymous_label"), s.reporter_anonymous, id="signal-anonymous"),
        )
        yield FormField(
            "reporter_contact",
            "intake.field.reporter_contact",
            Input(s.reporter_contact, id="signal-reporter-contact"),
        )
        if self.case is not None:
            yield FormField(
                "location",
                "casefile.signal.location",
                Input(self.case.location, id="signal-location"),
                required=self.case.subject_type == "LOCATION",
            )
        yield FormField(
            "observed", "intake.field.observed", TextArea(s.observed, id="signal-observed")
        )
        yield FormField(
            "indicators",
            "intake.field.indicators",
            IndicatorChecklist(selected=self.indicators, id="signal-indicators"),
        )

    def collect(self) -> SignalInput:
        location = self.query("#signal-location")
        return SignalInput(
            location=location.first(Input).value if location else "",
            received_on=self.query_one("#signal-received-on", DateInput).value,
            channel=self.query_one("#signal-channel", CodeSelect).code or "",
            source_role=self.query_one("#signal-source", CodeSelect).code or "",
            reporter_anonymous=self.query_one("#signal-anonymous", TickBox).value,
            reporter_contact=self.query_one("#signal-reporter-contact", Input).value,
            observed=self.query_one("#signal-observed", TextArea).text,
            indicators=self.query_one(IndicatorChecklist).codes,
        )

    def apply(self, session, data: SignalInput):
        from casebook.services.location import set_location

        version = self.case_version
        if self.case is not None and data.location != self.case.location:
            # the case's location first (it checks the version read), then the signal
            version = set_location(
                session, self.case.id, data.location, expected_version=version
            ).version
        return intake.edit_signal(
            session,
            self.signal.id,
            data,
            expected_case_version=version,
            today=self.app.today(),
        )
