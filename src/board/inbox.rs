//! The board's inbox pane at work (docs/board.md#the-inbox): `Tab` moves
//! into it, the arrows choose a message, `Enter` shows it whole, `d` marks
//! it done and `r` answers the patient through the channel it came by
//! (`app::inbox`, as `appt inbox show|done|reply` do).

use super::{Board, Flow, Then};
use crate::app::inbox;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

/// Where the desk is in the inbox: the message chosen, and whether it is
/// open (shown whole over the day).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct InPane {
    pub at: usize,
    pub open: bool,
}

impl Board {
    /// How many messages the inbox pane holds.
    fn messages(&self) -> usize {
        self.day.inbox.as_ref().map_or(0, Vec::len)
    }

    /// `Tab` from the day: into the inbox, at its newest message.
    pub(super) fn focus_inbox(&mut self) {
        match self.day.inbox {
            Some(_) => self.in_pane = Some(InPane::default()),
            None => self.refused(crate::error::Error::new(
                crate::error::Code::Validation,
                crate::text::Msg::new("b-no_inbox"),
            )),
        }
    }

    /// A key while the inbox has the focus.
    pub(super) fn inbox_key(&mut self, k: KeyEvent) -> Flow {
        let Some(mut p) = self.in_pane else {
            return Flow::Stay;
        };
        match k.code {
            KeyCode::Char('q') => return Flow::Quit,
            KeyCode::Esc if p.open => p.open = false,
            KeyCode::Esc | KeyCode::Tab => {
                self.in_pane = None;
                return Flow::Stay;
            }
            KeyCode::Up | KeyCode::Char('k') => p.at = p.at.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => p.at += 1,
            KeyCode::Enter => p.open = !p.open,
            KeyCode::Char('d') => {
                if let Some(id) = self.chosen(p) {
                    let now = self.clock.now();
                    match inbox::done(&mut self.store, &id, None, now) {
                        Ok(m) => {
                            let short = crate::output::human::short(&m.id);
                            self.done("b-inbox_done", &[("id", short.into())]);
                            self.after_write(None);
                        }
                        Err(e) => self.refused(e),
                    }
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
        p.at = p.at.min(self.messages().saturating_sub(1));
        self.in_pane = Some(p);
        Flow::Stay
    }

    /// The ID of the message chosen, or a refusal when there is none.
    fn chosen(&mut self, p: InPane) -> Option<String> {
        match self.day.inbox.as_ref().and_then(|all| all.get(p.at)) {
            Some(m) => Some(m.id.clone()),
            None => {
                self.refused(crate::error::Error::new(
                    crate::error::Code::Validation,
                    crate::text::Msg::new("b-inbox_empty"),
                ));
                None
            }
        }
    }

    /// `r`'s answer typed: sent through the message's channel; sent, the
    /// message is done.
    pub(super) fn reply(&mut self, id: String, text: String) {
        let now = self.clock.now();
        match inbox::reply(&mut self.store, &id, &text, None, self.key.clone(), now) {
            Ok(done) => {
                let to = crate::output::phone::shown(&done.to);
                self.done("b-replied", &[("to", to.into())]);
                self.after_write(None);
                if let Some(p) = &mut self.in_pane {
                    p.open = false;
                }
            }
            Err(e) => self.refused(e),
        }
    }
}
