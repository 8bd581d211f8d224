//! Who sent the request: the client's address and scheme, resolved once
//! (forwarding headers believed only from `TESSERA_TRUSTED_PROXIES`) and put
//! in the request's extensions for every layer and handler after this one.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};
use tessera_backend::{client::Client, Platform};

pub async fn identify(
    State(platform): State<Arc<Platform>>,
    mut req: Request,
    next: Next,
) -> Response {
    // Always there when served by `Application`; a missing one is no
    // address we could trust anyway.
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let https = req.uri().scheme_str() == Some("https");
    let client = Client::resolve(peer, https, req.headers(), &platform.config.trusted_proxies);
    req.extensions_mut().insert(client);
    next.run(req).await
}
