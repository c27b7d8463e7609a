//! SDN_controller: the pool's one SDN controller.

use xenapi::{ApiError, SdnControllerProtocol as Protocol, SdnControllerRecord, SdnControllerRef, SdnControllerServer};
use xenapi_rt::types::Str;

use super::{assert_ip, Family};
use crate::sim::{Ctx, Sim};

/// The port an SSL controller listens on when none is given.
const SSL_PORT: i64 = 6632;

impl SdnControllerServer for Sim {
    async fn introduce(
        &self,
        _ctx: &Ctx,
        protocol: Protocol,
        address: Str,
        port: i64,
    ) -> Result<SdnControllerRef, ApiError> {
        self.sim_store().write(|tx| {
            if tx.db().count::<SdnControllerRecord>() > 0 {
                return Err(ApiError::OperationNotAllowed {
                    reason: "SDN controller has been configured. Please forget it first.".into(),
                });
            }
            let invalid =
                |field: &str, value: &str| ApiError::InvalidValue { field: field.into(), value: value.to_string() };
            match protocol {
                Protocol::Pssl if !address.is_empty() => return Err(invalid("address", &address)),
                Protocol::Pssl if port != 0 => return Err(invalid("port", &port.to_string())),
                Protocol::Ssl if address.is_empty() => return Err(invalid("address", &address)),
                Protocol::Ssl => assert_ip(Family::V4, "address", &address)?,
                _ => {}
            }
            if port != 0 && !(1..=65535).contains(&port) {
                return Err(invalid("port", &port.to_string()));
            }
            let port = if protocol == Protocol::Ssl && port == 0 { SSL_PORT } else { port };
            tx.create(SdnControllerRecord { protocol, address, port, ..Default::default() })
        })
    }

    async fn forget(&self, _ctx: &Ctx, self_: SdnControllerRef) -> Result<(), ApiError> {
        self.sim_store().write(|tx| tx.destroy::<SdnControllerRecord>(self_.as_str()))
    }
}
