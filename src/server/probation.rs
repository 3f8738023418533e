//! Making room under `--max-connections`: connections that have not yet sent a whole request are
//! on probation, oldest first. When every slot is taken, a new connection sheds the oldest of them
//! rather than being refused, so a flood of silent or half-sent connections cannot lock out
//! clients that send whole requests. Only when every open connection has proved itself (has had a
//! request) does a newcomer get the 503.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio_util::sync::CancellationToken;

/// The connections on probation, by arrival order.
#[derive(Debug, Default)]
pub struct Ward {
    next_id: AtomicU64,
    waiting: Mutex<BTreeMap<u64, CancellationToken>>,
}

impl Ward {
    /// Puts a new connection on probation.
    pub fn admit(self: &Arc<Self>) -> Probation {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let shed = CancellationToken::new();
        self.waiting().insert(id, shed.clone());
        Probation {
            id,
            shed,
            proven: AtomicBool::new(false),
            ward: Arc::clone(self),
        }
    }

    /// Tells the oldest connection on probation to close; false when none is on probation.
    pub fn shed_oldest(&self) -> bool {
        match self.waiting().pop_first() {
            Some((_, shed)) => {
                shed.cancel();
                true
            }
            None => false,
        }
    }

    /// How many connections are on probation.
    pub fn len(&self) -> usize {
        self.waiting().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn waiting(&self) -> MutexGuard<'_, BTreeMap<u64, CancellationToken>> {
        // The map stays consistent whatever a panicking holder did: each step is one insert or
        // remove. So a poisoned lock is used as it is.
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One connection's place on probation; leaves it when the connection proves itself or ends.
#[derive(Debug)]
pub struct Probation {
    id: u64,
    shed: CancellationToken,
    proven: AtomicBool,
    ward: Arc<Ward>,
}

impl Probation {
    /// The connection has a whole request: it can no longer be shed.
    pub fn prove(&self) {
        if !self.proven.swap(true, Ordering::Relaxed) {
            self.ward.waiting().remove(&self.id);
        }
    }

    /// Resolves when the connection is shed to make room.
    pub async fn shed(&self) {
        self.shed.cancelled().await
    }
}

impl Drop for Probation {
    fn drop(&mut self) {
        self.prove();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_oldest_unproven_connection_is_shed_first() {
        let ward = Arc::new(Ward::default());
        let first = ward.admit();
        let second = ward.admit();
        let third = ward.admit();
        first.prove();
        assert_eq!(ward.len(), 2);
        assert!(ward.shed_oldest());
        // The second is the oldest still on probation: shed, the third is not.
        tokio::time::timeout(std::time::Duration::from_secs(1), second.shed())
            .await
            .unwrap();
        assert!(!third.shed.is_cancelled());
        drop(third);
        assert!(ward.is_empty());
        assert!(!ward.shed_oldest());
    }
}
