"""The case file's actions for duplicates and the case's details, kept beside the case
screen (a mixin of `CaseScreen`): `g` changes the title, urgency, sectors and
exploitation types; `z` moves the selected signal to another case; `M` merges this
case into another. All three are in the command palette while a case is shown."""

from __future__ import annotations

from functools import partial

from textual.binding import Binding

from casebook.i18n import t

BINDINGS = [
    Binding("g", "details", "dupes.key.details", id="case.details", show=False),
    Binding("z", "move_signal", "dupes.key.move_signal", id="case.move_signal", show=False),
    Binding("M", "merge", "dupes.key.merge", id="case.merge", show=False),
]
ACTIONS = ("details", "move_signal", "merge")


class DupesActions:
    """Mixed into CaseScreen, which provides `data`, `selected`, `_push`, `load`."""

    def dupes_check_action(self, action: str, tab: str, is_open: bool):
        """check_action's answer for these actions (NotImplemented for any other)."""
        if action in ("details", "merge"):
            return True if is_open else None
        if action == "move_signal":
            if not is_open:
                return None
            return True if tab == "signals" else None
        return NotImplemented

    def sector_text(self) -> str:
        """The primary sector, and the others beside it after a "+"."""
        from casebook import refdata

        primary = refdata.label("sectors", self.data.case.sector) or "–"
        others = [refdata.label("sectors", code) for code in self.data.other_sectors]
        return " + ".join([primary, *others]) if others else primary

    def palette_commands(self):
        """The case's own commands for the palette (screens.app.get_system_commands)."""
        from textual.app import SystemCommand

        if self.data is None or not self.data.is_open:
            return
        for action in ACTIONS:
            yield SystemCommand(
                t("dupes.palette.prefix") + t(f"dupes.key.{action}"),
                t(f"dupes.palette.{action}_help"),
                partial(self.run_action, action),
            )

    def action_details(self) -> None:
        from casebook.services.case_details import details_of
        from screens import door
        from screens.case_dupes_modals import CaseDetailsModal

        if self.data is None:
            return
        read = door.read_now(self, lambda s: details_of(s, self.case_id))
        if read is None:
            return
        version, current = read
        self._push(CaseDetailsModal(self.case_id, version, current))

    def action_move_signal(self) -> None:
        from screens.case_dupes_modals import MoveSignalModal

        if self.data is None:
            return
        signal = self.selected("signals") if self.active_tab == "signals" else None
        if signal is None:
            self._cannot(t("dupes.move.no_signal"))
            return
        self._push(MoveSignalModal(signal, self.data.case.version))

    def action_merge(self) -> None:
        from screens.case_dupes_modals import MergeModal

        if self.data is None:
            return

        def merged(result) -> None:
            if result:  # show the case it went into
                target_id, _reference = result
                self.app.pop_screen()
                self.app.open_case(target_id)

        self.app.push_screen(MergeModal(self.data.case), merged)
