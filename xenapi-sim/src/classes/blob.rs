//! blob: named binary data attached to objects. `blob.create` makes the
//! record; the data travels over HTTP as in xapi: `PUT /blob?ref=R&session_id=S`
//! stores the request body, `GET /blob?ref=R&session_id=S` returns it
//! (a public blob may be read without a session). Data is kept in memory
//! under a cap per blob and a cap for all blobs together.

use std::collections::HashMap;
use std::sync::Mutex;

use xenapi::server::Backend;
use xenapi::{ApiError, BlobRecord, BlobRef, BlobServer, SessionRef};
use xenapi_rt::server::{HttpReply, HttpRequest};
use xenapi_rt::types::Str;

use crate::sim::{Ctx, Sim};
use crate::util::now;

/// The largest blob stored, in bytes.
pub const MAX_BLOB: usize = 8 << 20;
/// The most blob data kept in all, in bytes.
pub const MAX_TOTAL: usize = 64 << 20;

/// The roles that may write blobs (xapi's `put_blob` needs VM power admin
/// or above); anyone with a session may read.
const WRITERS: &[&str] = &["pool-admin", "pool-operator", "vm-power-admin"];

/// The data of the blobs, by reference.
#[derive(Default)]
pub struct BlobData(Mutex<Store>);

#[derive(Default)]
struct Store {
    data: HashMap<String, Vec<u8>>,
    total: usize,
}

impl BlobData {
    fn get(&self, r: &str) -> Vec<u8> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).data.get(r).cloned().unwrap_or_default()
    }

    /// Stores `body` as the data of `r`, first dropping the data of blobs
    /// that no longer exist; `Err` when it would pass a cap.
    fn put(&self, r: &str, body: &[u8], exists: impl Fn(&str) -> bool) -> Result<(), String> {
        if body.len() > MAX_BLOB {
            return Err(format!("a blob holds at most {MAX_BLOB} bytes\n"));
        }
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let gone: Vec<String> = s.data.keys().filter(|k| !exists(k)).cloned().collect();
        for k in gone {
            if let Some(v) = s.data.remove(&k) {
                s.total -= v.len();
            }
        }
        let old = s.data.get(r).map_or(0, Vec::len);
        if s.total - old + body.len() > MAX_TOTAL {
            return Err(format!("blobs hold at most {MAX_TOTAL} bytes in all\n"));
        }
        s.total = s.total - old + body.len();
        s.data.insert(r.to_string(), body.to_vec());
        Ok(())
    }
}

/// The Content-Type of a blob's data: its MIME type when it is one of
/// the common ones, else a byte stream.
fn content_type(mime: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "text/plain",
        "text/html",
        "text/csv",
        "text/xml",
        "application/json",
        "application/xml",
        "application/zip",
        "application/gzip",
        "image/png",
        "image/jpeg",
        "image/svg+xml",
    ];
    KNOWN.iter().find(|k| k.eq_ignore_ascii_case(mime)).copied().unwrap_or("application/octet-stream")
}

/// Answers `/blob`; `None` for every other path.
pub async fn http(sim: &Sim, req: HttpRequest<'_>) -> Option<HttpReply> {
    if req.path != "/blob" {
        return None;
    }
    let by_ref = req.query_param("ref").map(|r| r.into_owned());
    let by_uuid = req.query_param("uuid").map(|u| u.into_owned());
    if by_ref.is_none() && by_uuid.is_none() {
        return Some(HttpReply::text(400, "a blob is named by its ref or uuid\n".into()));
    }
    let found = {
        let db = sim.sim_store().read();
        match (&by_ref, &by_uuid) {
            (Some(r), _) => db.get::<BlobRecord>(r).ok().map(|b| (r.clone(), b.clone())),
            (None, Some(u)) => db
                .table::<BlobRecord>()
                .by_uuid(u)
                .and_then(|r| db.get::<BlobRecord>(r).ok().map(|b| (r.clone(), b.clone()))),
            (None, None) => None,
        }
    };
    let Some((r, blob)) = found else {
        return Some(HttpReply::text(404, "Unknown reference\n".into()));
    };
    let get = req.method == "GET";
    if !get && req.method != "PUT" {
        return Some(HttpReply::text(405, "blobs are read with GET and written with PUT\n".into()));
    }
    if !(get && blob.public) {
        let Some(session) = req.query_param("session_id") else {
            return Some(HttpReply::text(401, "a session_id is needed\n".into()));
        };
        let ctx = match sim.authenticate("blob", &SessionRef::new(session.into_owned())).await {
            Ok(c) => c,
            Err(_) => return Some(HttpReply::text(401, "the session is not valid\n".into())),
        };
        if !get && !WRITERS.contains(&ctx.session.role.as_str()) {
            return Some(HttpReply::text(403, "the session's role may not write blobs\n".into()));
        }
    }
    if get {
        return Some(HttpReply::new(200, content_type(&blob.mime_type), sim.blobs().get(&r)));
    }
    let stored = {
        let db = sim.sim_store().read();
        sim.blobs().put(&r, req.body, |k| db.get::<BlobRecord>(k).is_ok())
    };
    if let Err(msg) = stored {
        return Some(HttpReply::text(413, msg));
    }
    let size = req.body.len() as i64;
    let updated = sim.sim_store().write(|tx| {
        tx.update::<BlobRecord, _>(&r, |b| {
            b.size = size;
            b.last_updated = now();
            Ok(())
        })
    });
    Some(match updated {
        Ok(()) => HttpReply::new(200, "text/plain; charset=utf-8", Vec::new()),
        // Destroyed meanwhile.
        Err(_) => HttpReply::text(404, "Unknown reference\n".into()),
    })
}

impl BlobServer for Sim {
    async fn create(&self, _ctx: &Ctx, mime_type: Str, public: bool) -> Result<BlobRef, ApiError> {
        self.sim_store()
            .write(|tx| tx.create(BlobRecord { mime_type, public, size: 0, last_updated: now(), ..Default::default() }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_capped_per_blob_and_in_all() {
        let d = BlobData::default();
        let all = |_: &str| true;
        assert!(d.put("a", &vec![0; MAX_BLOB + 1], all).is_err());
        let n = MAX_TOTAL / MAX_BLOB;
        for i in 0..n {
            d.put(&format!("b{i}"), &vec![1; MAX_BLOB], all).unwrap();
        }
        assert!(d.put("one more", &[1], all).is_err());
        // Rewriting a blob counts its new size only.
        d.put("b0", &[2; 10], all).unwrap();
        assert_eq!(d.get("b0"), [2; 10]);
        // Data of blobs that are gone is dropped and frees room.
        d.put("c", &vec![3; MAX_BLOB], |k| k != "b1").unwrap();
        assert!(d.get("b1").is_empty());
    }
}
