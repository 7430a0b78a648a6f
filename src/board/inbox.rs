//! The board's inbox pane at work (docs/board.md#the-inbox): `Tab` moves
//! into it, the arrows choose a message, `Enter` shows it whole, `d` marks
//! it done and `r` answers the patient through the channel it came by
//! (`app::inbox`, as `appt inbox show|done|reply` do).

use super::state::{Effect, InPane, State, Then};
use super::Board;
use crate::app::inbox;
use crate::error::Code;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

impl State {
    /// How many messages the inbox pane holds.
    fn messages(&self) -> usize {
        self.day.inbox.as_ref().map_or(0, Vec::len)
    }

    /// `Tab` from the day: into the inbox, at its newest message.
    pub(super) fn focus_inbox(&mut self) {
        match self.day.inbox {
            Some(_) => self.in_pane = Some(InPane::default()),
            None => self.refuse(Code::Validation, "b-no_inbox"),
        }
    }

    /// A key while the inbox has the focus.
    pub(super) fn inbox_key(&mut self, k: KeyEvent) -> Option<Effect> {
        let mut p = self.in_pane?;
        let mut effect = None;
        match k.code {
            KeyCode::Char('q') => return Some(Effect::Quit),
            KeyCode::Esc if p.open => p.open = false,
            KeyCode::Esc | KeyCode::Tab => {
                self.in_pane = None;
                return None;
            }
            KeyCode::Up | KeyCode::Char('k') => p.at = p.at.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => p.at += 1,
            KeyCode::Enter => p.open = !p.open,
            KeyCode::Char('d') => {
                if let Some(id) = self.chosen(p) {
                    effect = Some(Effect::InboxDone(id));
                    p.open = false;
                }
            }
            KeyCode::Char('r') => {
                if let Some(id) = self.chosen(p) {
                    self.ask("b-ask_reply", Then::Reply(id));
                }
            }
            _ => {}
        }
        self.in_pane = Some(p);
        self.keep_in_pane();
        effect
    }

    /// The message chosen kept among those the pane holds.
    pub(super) fn keep_in_pane(&mut self) {
        let last = self.messages().saturating_sub(1);
        if let Some(p) = &mut self.in_pane {
            p.at = p.at.min(last);
        }
    }

    /// The ID of the message chosen, or a refusal when there is none.
    fn chosen(&mut self, p: InPane) -> Option<String> {
        match self.day.inbox.as_ref().and_then(|all| all.get(p.at)) {
            Some(m) => Some(m.id.clone()),
            None => {
                self.refuse(Code::Validation, "b-inbox_empty");
                None
            }
        }
    }
}

impl Board {
    /// `d` in the pane: the message chosen is done.
    pub(super) fn inbox_done(&mut self, id: String) {
        match inbox::done(&mut self.store, &id, None, self.clock.now()) {
            Ok(m) => {
                let short = crate::output::human::short(&m.id);
                self.state.done("b-inbox_done", &[("id", short.into())]);
                self.after_write(None);
                self.state.keep_in_pane();
            }
            Err(e) => self.refused(e),
        }
    }

    /// `r`'s answer typed: sent through the message's channel; sent, the
    /// message is done.
    pub(super) fn reply(&mut self, id: String, text: String) {
        let now = self.clock.now();
        match inbox::reply(&mut self.store, &id, &text, None, self.key.clone(), now) {
            Ok(done) => {
                let to = crate::output::phone::shown(&done.to);
                self.state.done("b-replied", &[("to", to.into())]);
                self.after_write(None);
                if let Some(p) = &mut self.state.in_pane {
                    p.open = false;
                }
            }
            Err(e) => self.refused(e),
        }
    }
}
