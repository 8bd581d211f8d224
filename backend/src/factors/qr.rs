//! The otpauth URI as a QR code, rendered on the server as inline SVG (no
//! image crate, no script on the page).

use qrcode::{render::svg, EcLevel, QrCode};

/// The SVG, without its XML prolog (it is inlined into HTML); None only
/// for a URI too long for any QR code.
pub fn svg(uri: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    Some(match image.find("<svg") {
        Some(start) => image[start..].to_owned(),
        None => image,
    })
}
