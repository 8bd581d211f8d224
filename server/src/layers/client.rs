//! Who sent the request: the client's address and scheme, resolved once
//! (forwarding headers believed only from `TESSERA_TRUSTED_PROXIES`) and put
//! in the request's extensions for every step and handler after this one.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use tessera_backend::{client::Client, Platform};

pub fn identify(platform: &Platform, req: &Request) -> Client {
    // Always there when served by `Application`; a missing one is no
    // address we could trust anyway.
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let https = req.uri().scheme_str() == Some("https");
    Client::resolve(peer, https, req.headers(), &platform.config.trusted_proxies)
}
