//! blob: named binary data attached to objects. The record is made
//! here; its data travels over HTTP.

use xenapi::{ApiError, BlobRecord, BlobRef, BlobServer};

use crate::sim::{Ctx, Sim};
use crate::util::now;

impl BlobServer for Sim {
    async fn create(&self, _ctx: &Ctx, mime_type: String, public: bool) -> Result<BlobRef, ApiError> {
        self.sim_store().write(|tx| tx.create(BlobRecord { mime_type, public, size: 0, last_updated: now(), ..Default::default() }))
    }
}
