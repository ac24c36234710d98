//! Downloads made in the page (nothing leaves the machine): a canvas as PNG, text as a file.

use wasm_bindgen::JsCast;

/// Offers `href` for download as `filename` through a temporary `<a download>`.
fn download_href(href: &str, filename: &str) -> Result<(), String> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| "cannot create a link")?
        .dyn_into()
        .map_err(|_| "cannot create a link")?;
    a.set_href(href);
    a.set_download(filename);
    a.click();
    Ok(())
}

/// Downloads the canvas with `data-testid = testid` as a PNG file.
pub fn canvas_png(testid: &str, filename: &str) -> Result<(), String> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement = doc
        .query_selector(&format!("canvas[data-testid=\"{testid}\"]"))
        .ok()
        .flatten()
        .ok_or("chart not found")?
        .dyn_into()
        .map_err(|_| "not a canvas")?;
    let url = canvas
        .to_data_url_with_type("image/png")
        .map_err(|_| "the chart could not be encoded")?;
    download_href(&url, filename)
}

/// Downloads `text` as a file of the given MIME type.
pub fn text_file(text: &str, mime: &str, filename: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| "cannot create the file")?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "cannot create the file")?;
    let r = download_href(&url, filename);
    // The browser reads the blob after this returns: free it a little later.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    }
    r
}

/// CSV with a header row and one row per index; columns must have equal length.
pub fn csv(header: &[&str], columns: &[&[f32]]) -> String {
    let n = columns.iter().map(|c| c.len()).min().unwrap_or(0);
    let mut out = String::with_capacity(n * 16 * (columns.len() + 1));
    out.push_str("n,");
    out.push_str(&header.join(","));
    out.push('\n');
    for i in 0..n {
        out.push_str(&i.to_string());
        for c in columns {
            out.push(',');
            out.push_str(&c[i].to_string());
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_header_and_one_row_per_sample() {
        let s = csv(&["x", "q"], &[&[0.5, -1.0], &[0.5, -1.0]]);
        assert_eq!(s, "n,x,q\n0,0.5,0.5\n1,-1,-1\n");
    }
}
