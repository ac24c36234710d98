//! The page's canvas backend: plotters' [`CanvasBackend`], with text measured by the canvas
//! itself.
//!
//! plotters measures a label (to place tick labels, axis titles and legends) by putting a
//! `<span>` in the document and reading its `offsetWidth`/`offsetHeight`, which makes the
//! browser lay out the whole page, once per label: about 11 ms of every Signal lab update
//! went there. [`PageCanvas`] asks the 2D context instead (`measureText`, no layout), and
//! sets the fill colour of filled rectangles only when it changes (a heat map draws thousands
//! of cells in a few colours); it draws everything else exactly as [`CanvasBackend`] does.

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

type Error = DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType>;

/// [`CanvasBackend`] with [`DrawingBackend::estimate_text_size`] answered by the canvas.
pub struct PageCanvas {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
    /// The fill colour this backend last set (`rgb`, `alpha`'s bits), while no other
    /// drawing has set another.
    fill: Option<((u8, u8, u8), u64)>,
}

impl std::fmt::Debug for PageCanvas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCanvas")
            .field("size", &self.get_size())
            .finish()
    }
}

impl PageCanvas {
    /// The backend of `canvas`; `None` when it has no 2D context.
    pub fn new(canvas: &HtmlCanvasElement) -> Option<Self> {
        let context = canvas
            .get_context("2d")
            .ok()??
            .dyn_into::<CanvasRenderingContext2d>()
            .ok()?;
        let inner = CanvasBackend::with_canvas_object(canvas.clone())?;
        Some(PageCanvas {
            inner,
            context,
            fill: None,
        })
    }
}

/// The CSS font of a text style, written as [`CanvasBackend`] writes it to draw the text.
fn css_font<S: BackendTextStyle>(style: &S) -> String {
    format!(
        "{} {}px {}",
        style.style().as_str(),
        style.size(),
        style.family().as_str()
    )
}

impl DrawingBackend for PageCanvas {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), Error> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), Error> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Error> {
        self.fill = None;
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Error> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Error> {
        let colour = style.color();
        if !fill || colour.alpha == 0.0 {
            return self.inner.draw_rect(upper_left, bottom_right, style, fill);
        }
        let key = (colour.rgb, colour.alpha.to_bits());
        if self.fill != Some(key) {
            let (r, g, b) = colour.rgb;
            // As CanvasBackend writes it.
            let css = format!("rgba({r},{g},{b},{})", colour.alpha);
            self.context.set_fill_style_str(&css);
            self.fill = Some(key);
        }
        self.context.fill_rect(
            f64::from(upper_left.0),
            f64::from(upper_left.1),
            f64::from(bottom_right.0 - upper_left.0),
            f64::from(bottom_right.1 - upper_left.1),
        );
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), Error> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), Error> {
        self.fill = None;
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), Error> {
        self.fill = None;
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), Error> {
        self.fill = None;
        self.inner.draw_text(text, style, pos)
    }

    /// The width of `text` as the canvas draws it, and the height of a line of its font
    /// (what the `<span>` measurement gave: the font's ascent plus descent), both rounded
    /// to whole pixels. Falls back to plotters' own measurement if the canvas cannot answer.
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), Error> {
        self.context.set_font(&css_font(style));
        match self.context.measure_text(text) {
            Ok(m) => {
                let width = m.width().round().max(0.0) as u32;
                let height = (m.font_bounding_box_ascent() + m.font_bounding_box_descent())
                    .round()
                    .max(0.0) as u32;
                Ok((width, height))
            }
            Err(_) => self.inner.estimate_text_size(text, style),
        }
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), Error> {
        self.fill = None;
        self.inner.blit_bitmap(pos, size, src)
    }
}
