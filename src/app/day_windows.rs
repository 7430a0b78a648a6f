//! The windows that apply on one day of a calendar (`schedule`), shared
//! with it rather than copied for each day.

use crate::core::Window;
use std::sync::Arc;

/// The windows that apply on one day, in start order: those of the
/// calendar they were read for, shared with it, not copied for each day
/// (the booking page's fourteen days of fifty doctors).
#[derive(Clone)]
pub struct DayWindows {
    all: Arc<[Window]>,
    on: Vec<usize>,
}

impl DayWindows {
    /// The windows `on` (their places in `all`, in start order) of `all`.
    pub fn new(all: Arc<[Window]>, on: Vec<usize>) -> DayWindows {
        DayWindows { all, on }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Window> + Clone {
        self.on.iter().map(|&i| &self.all[i])
    }

    pub fn first(&self) -> Option<&Window> {
        self.iter().next()
    }

    pub fn is_empty(&self) -> bool {
        self.on.is_empty()
    }
}

impl std::fmt::Debug for DayWindows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}
