//! message: alerts about an object, named by its class and uuid.

use xenapi::server::Record;
use xenapi::{ApiError, Cls, MessageRecord, MessageRef, MessageServer};
use xenapi_rt::types::Str;

use crate::sim::{Ctx, Sim};
use crate::store::Db;
use crate::util::now;

/// Whether an object of the class has this uuid.
fn exists(db: &Db, cls: &Cls, uuid: &str) -> bool {
    fn has<R: Record>(db: &Db, uuid: &str) -> bool {
        db.table::<R>().by_uuid(uuid).is_some()
    }
    match cls {
        Cls::Vm => has::<xenapi::VmRecord>(db, uuid),
        Cls::Host => has::<xenapi::HostRecord>(db, uuid),
        Cls::Sr => has::<xenapi::SrRecord>(db, uuid),
        Cls::Pool => has::<xenapi::PoolRecord>(db, uuid),
        Cls::Vmpp => has::<xenapi::VmppRecord>(db, uuid),
        Cls::Vmss => has::<xenapi::VmssRecord>(db, uuid),
        Cls::PvsProxy => has::<xenapi::PvsProxyRecord>(db, uuid),
        Cls::Vdi => has::<xenapi::VdiRecord>(db, uuid),
        Cls::Certificate => has::<xenapi::CertificateRecord>(db, uuid),
        Cls::Unknown(_) => false,
    }
}

impl MessageServer for Sim {
    async fn create(
        &self,
        _ctx: &Ctx,
        name: Str,
        priority: i64,
        cls: Cls,
        obj_uuid: Str,
        body: Str,
    ) -> Result<MessageRef, ApiError> {
        self.sim_store().write(|tx| {
            if !exists(tx.db(), &cls, &obj_uuid) {
                return Err(ApiError::UuidInvalid { r#type: cls.as_str().to_string(), uuid: obj_uuid.into() });
            }
            tx.create(MessageRecord { name, priority, cls, obj_uuid, body, timestamp: now(), ..Default::default() })
        })
    }

    async fn destroy(&self, _ctx: &Ctx, self_: MessageRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| tx.destroy::<MessageRecord>(self_.as_str()))
    }

    async fn get_all_records(&self, _ctx: &Ctx) -> Result<xenapi_rt::types::Map<MessageRef, MessageRecord>, ApiError> {
        Ok(self.sim_store().read().all::<MessageRecord>().into_iter().collect())
    }
}
