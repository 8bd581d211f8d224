//! Recovery codes: ten one-time codes shown once, kept only as hashes.
//!
//! Each code carries 118 random bits (24 characters of a 31-letter
//! alphabet), so a plain SHA-256 is a sufficient hash (ASVS 6.5.2: 112 bits
//! or more need no password hash); consuming one is a single conditional
//! UPDATE, so a code is accepted once even by racing requests.

use rand::Rng;
use sea_query::{Expr, ExprTrait, Query};
use sha2::{Digest, Sha256};

use crate::{
    accounts::UserId,
    db::{schema::RecoveryCodes as Codes, Tx},
};

pub const COUNT: usize = 10;
/// No 0/o, 1/l/i: read back from paper without doubt.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const GROUPS: usize = 6;
const GROUP_LEN: usize = 4;

/// A fresh set, shown to the person once.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCodes(Vec<String>);

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryCodes({} codes)", self.0.len())
    }
}

impl RecoveryCodes {
    pub(super) fn generate() -> Self {
        let mut rng = rand::thread_rng();
        let codes = (0..COUNT)
            .map(|_| {
                (0..GROUPS)
                    .map(|_| {
                        (0..GROUP_LEN)
                            .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
                            .collect::<String>()
                    })
                    .collect::<Vec<_>>()
                    .join("-")
            })
            .collect();
        Self(codes)
    }

    pub fn expose(self) -> Vec<String> {
        self.0
    }

    fn hashes(&self) -> impl Iterator<Item = String> + '_ {
        self.0.iter().filter_map(|code| hash(code))
    }
}

/// The hash a code is kept as; None for text that cannot be a code.
fn hash(code: &str) -> Option<String> {
    let normal: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if normal.len() != GROUPS * GROUP_LEN || !normal.bytes().all(|b| ALPHABET.contains(&b)) {
        return None;
    }
    Some(format!("{:x}", Sha256::digest(normal.as_bytes())))
}

/// Replaces the user's codes with `codes` (the old set dies).
pub(super) async fn replace(
    tx: &mut Tx,
    user: UserId,
    codes: &RecoveryCodes,
) -> Result<(), sqlx::Error> {
    let delete = Query::delete()
        .from_table(tx.table(Codes::Table))
        .and_where(Expr::col(Codes::UserId).eq(user.get()))
        .to_owned();
    tx.execute(&delete).await?;
    let mut insert = Query::insert()
        .into_table(tx.table(Codes::Table))
        .columns([Codes::UserId, Codes::CodeHash])
        .to_owned();
    for hash in codes.hashes() {
        insert.values_panic([user.get().into(), hash.into()]);
    }
    tx.execute(&insert).await.map(drop)
}

/// Uses up `code` if it is one of the user's unused codes.
pub(super) async fn consume(
    tx: &mut Tx,
    user: UserId,
    code: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let Some(hash) = hash(code) else {
        return Ok(false);
    };
    let update = Query::update()
        .table(tx.table(Codes::Table))
        .value(Codes::UsedAt, now)
        .and_where(Expr::col(Codes::UserId).eq(user.get()))
        .and_where(Expr::col(Codes::CodeHash).eq(hash))
        .and_where(Expr::col(Codes::UsedAt).is_null())
        .to_owned();
    Ok(tx.execute(&update).await? == 1)
}

/// Removes every code of the user.
pub(super) async fn remove(tx: &mut Tx, user: UserId) -> Result<(), sqlx::Error> {
    let delete = Query::delete()
        .from_table(tx.table(Codes::Table))
        .and_where(Expr::col(Codes::UserId).eq(user.get()))
        .to_owned();
    tx.execute(&delete).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_codes_of_118_bits_whose_hashes_forgive_case_spaces_and_dashes() {
        let codes = RecoveryCodes::generate().expose();
        assert_eq!(codes.len(), COUNT);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), COUNT);
        let code = &codes[0];
        assert_eq!(code.len(), GROUPS * GROUP_LEN + GROUPS - 1);
        let typed = code.to_uppercase().replace('-', " ");
        assert_eq!(hash(&typed), hash(code));
        assert!(hash(code).is_some());
        assert_eq!(hash("123456"), None, "a TOTP code is not a recovery code");
        assert_eq!(hash(&code.replace(char::is_alphanumeric, "0")), None);
    }
}
