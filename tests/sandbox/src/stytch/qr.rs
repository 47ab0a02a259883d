//! Renders text as a QR code in a PNG data URL, the way Stytch returns `qr_code`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use qrcode::{Color, QrCode};

/// Pixels per QR module, and the quiet zone (in modules) the QR specification asks for around the code.
const SCALE: usize = 4;
const QUIET_ZONE: usize = 4;

/// `data:image/png;base64, …` (with the space after the comma that Stytch's fixtures show).
pub fn png_data_url(text: &str) -> Result<String, String> {
    let png = png_bytes(text)?;
    Ok(format!("data:image/png;base64, {}", STANDARD.encode(png)))
}

/// An 8-bit greyscale PNG of the QR code for `text`.
pub fn png_bytes(text: &str) -> Result<Vec<u8>, String> {
    let code = QrCode::new(text.as_bytes()).map_err(|error| format!("QR encoding failed: {error}"))?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * SCALE;

    let mut pixels = vec![255u8; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (module_x, module_y) = (index % modules, index / modules);
        for dy in 0..SCALE {
            let row = (module_y + QUIET_ZONE) * SCALE + dy;
            let start = row * side + (module_x + QUIET_ZONE) * SCALE;
            pixels[start..start + SCALE].fill(0);
        }
    }

    let side = u32::try_from(side).map_err(|_| "QR code too large".to_owned())?;
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|error| error.to_string())?;
    writer.write_image_data(&pixels).map_err(|error| error.to_string())?;
    writer.finish().map_err(|error| error.to_string())?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_png_data_url() {
        let url = png_data_url("otpauth://totp/Sandbox:ada%40example.com?secret=ABC").unwrap();
        let encoded = url.strip_prefix("data:image/png;base64, ").unwrap();
        let png = STANDARD.decode(encoded).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
