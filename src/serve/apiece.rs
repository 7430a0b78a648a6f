//! The connections each client address holds open
//! (`--max-connections-per-address`, docs/api.md#starting-it).

use std::net::IpAddr;
use std::sync::Arc;

/// The connections open from each client address, as the limits count a
/// client (`core::access::counted_as`).
pub(super) type Apiece = Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>;

/// A connection counted against its client address until it closes.
pub(super) struct Taken(Apiece, String);

impl Taken {
    pub(super) fn from(apiece: &Apiece, ip: IpAddr, max: usize) -> Option<Taken> {
        let key = crate::core::access::counted_as(ip);
        let mut open = apiece.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(key.clone()).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Taken(Arc::clone(apiece), key))
    }
}

impl Drop for Taken {
    fn drop(&mut self) {
        let mut open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.1);
            }
        }
    }
}
