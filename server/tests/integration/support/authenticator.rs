//! A software passkey: what a platform authenticator and the browser do
//! with a relying party's options, answered in WebAuthn's JSON form (as
//! `credential.toJSON()` gives it): an ES256 key, "none" attestation, user
//! verification claimed, a signature counter.

use std::collections::BTreeMap;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use p256::ecdsa::{signature::Signer, Signature, SigningKey};
use serde_cbor_2::Value as Cbor;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// User present, user verified.
const UP_UV: u8 = 0x01 | 0x04;
/// ... and attested credential data follows.
const AT: u8 = 0x40;

pub struct SoftPasskey {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    user_handle: Vec<u8>,
    /// The relying party ID it was made for.
    pub rp_id: String,
    counter: u32,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn client_data(kind: &str, options: &Value, origin: &str) -> Vec<u8> {
    json!({
        "type": kind,
        "challenge": options["publicKey"]["challenge"],
        "origin": origin,
        "crossOrigin": false,
    })
    .to_string()
    .into_bytes()
}

fn rp_hash(rp_id: &str) -> Vec<u8> {
    Sha256::digest(rp_id.as_bytes()).to_vec()
}

impl SoftPasskey {
    /// `navigator.credentials.create` at `origin` with the server's options.
    pub fn create(options: &Value, origin: &str) -> (Self, Value) {
        let public_key = &options["publicKey"];
        let rp_id = public_key["rp"]["id"].as_str().expect("rp id").to_owned();
        let user_handle = URL_SAFE_NO_PAD
            .decode(public_key["user"]["id"].as_str().expect("user id"))
            .expect("base64url");
        let key = loop {
            if let Ok(key) = SigningKey::from_slice(&rand::random::<[u8; 32]>()) {
                break key;
            }
        };
        let credential_id = rand::random::<[u8; 16]>().to_vec();
        let point = key.verifying_key().to_sec1_point(false);
        let xy = point.as_bytes();
        let cose = Cbor::Map(BTreeMap::from([
            (Cbor::Integer(1), Cbor::Integer(2)),
            (Cbor::Integer(3), Cbor::Integer(-7)),
            (Cbor::Integer(-1), Cbor::Integer(1)),
            (Cbor::Integer(-2), Cbor::Bytes(xy[1..33].to_vec())),
            (Cbor::Integer(-3), Cbor::Bytes(xy[33..65].to_vec())),
        ]));
        let mut auth_data = rp_hash(&rp_id);
        auth_data.push(UP_UV | AT);
        auth_data.extend_from_slice(&0u32.to_be_bytes());
        auth_data.extend_from_slice(&[0u8; 16]);
        let id_len = u16::try_from(credential_id.len()).expect("short id");
        auth_data.extend_from_slice(&id_len.to_be_bytes());
        auth_data.extend_from_slice(&credential_id);
        auth_data.extend(serde_cbor_2::to_vec(&cose).expect("cbor"));
        let attestation = Cbor::Map(BTreeMap::from([
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(BTreeMap::new())),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]));
        let answer = json!({
            "id": b64(&credential_id),
            "rawId": b64(&credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data("webauthn.create", options, origin)),
                "attestationObject": b64(&serde_cbor_2::to_vec(&attestation).expect("cbor")),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        });
        let passkey = Self {
            key,
            credential_id,
            user_handle,
            rp_id,
            counter: 0,
        };
        (passkey, answer)
    }

    /// `navigator.credentials.get` at `origin`, signing for `rp_id` (an
    /// honest browser: the options' own).
    pub fn get_for(&mut self, options: &Value, origin: &str, rp_id: &str) -> Value {
        self.counter += 1;
        let client_data = client_data("webauthn.get", options, origin);
        let mut auth_data = rp_hash(rp_id);
        auth_data.push(UP_UV);
        auth_data.extend_from_slice(&self.counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "authenticatorData": b64(&auth_data),
                "signature": b64(&signature.to_der().to_bytes()),
                "userHandle": b64(&self.user_handle),
            },
            "clientExtensionResults": {},
        })
    }

    /// As a browser answers: for the relying party it was made for.
    pub fn get(&mut self, options: &Value, origin: &str) -> Value {
        let rp_id = self.rp_id.clone();
        self.get_for(options, origin, &rp_id)
    }

    /// An exact copy, counter and all (a cloned authenticator).
    pub fn clone_device(&self) -> Self {
        Self {
            key: self.key.clone(),
            credential_id: self.credential_id.clone(),
            user_handle: self.user_handle.clone(),
            rp_id: self.rp_id.clone(),
            counter: self.counter,
        }
    }
}
