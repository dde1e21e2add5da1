//! One table, two file formats, two languages: what the exports (the ledger, the review's
//! findings) are built as, and how they are written.
//!
//! A [`Table`] has its columns (each with a Chinese and an English header) in a fixed order and
//! rows of typed [`Cell`]s: text, a label that has both languages, a date, a local date and
//! time, a number, or a list of these. It is written as
//!
//! * **CSV** (the `csv` crate's writer): UTF-8 with a byte-order mark, CRLF line ends, fields
//!   quoted as RFC 4180 says, dates as `YYYY-MM-DD`, times as `YYYY-MM-DD HH:MM:SS` (local
//!   time); a text cell that a spreadsheet program would take for a formula (it starts with
//!   `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's list) gets a leading `'`;
//! * **XLSX** (Office Open XML, rust_xlsxwriter): one sheet, the header row bold, frozen and
//!   filterable, dates and times as real Excel dates with a date format, numbers as numbers,
//!   text always as text (an XLSX string cell is never run as a formula), columns as wide as
//!   their content (rust_xlsxwriter's autofit, corrected for Chinese and for date-times:
//!   `docs/adr/0005-xlsx-column-widths.md`), within limits.
//!
//! Chinese is the default language: the bureau's forms are in Chinese.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::utility::cell_autofit_width;
use rust_xlsxwriter::{Format as XlsxFormat, Workbook, XlsxError};
use unicode_width::UnicodeWidthChar;

/// The language of the headers and the labels: the catalogue's.
pub use notoneless_i18n::Lang;
use notoneless_i18n::Message;

/// The file format of an export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// UTF-8 with a byte-order mark, CRLF line ends (the default).
    #[default]
    Csv,
    /// An Excel workbook of one sheet.
    Xlsx,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// The media type to serve the file as.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.as_str()
    }
}

/// A value that is not one of the allowed choices.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not one of {expected}")]
pub struct UnknownChoice {
    pub value: String,
    pub expected: &'static str,
}

impl FromStr for Format {
    type Err = UnknownChoice;

    fn from_str(value: &str) -> Result<Self, UnknownChoice> {
        match value {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(UnknownChoice {
                value: value.to_string(),
                expected: "csv, xlsx",
            }),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Label {
    pub const fn new(zh: &'static str, en: &'static str) -> Self {
        Self { zh, en }
    }

    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

/// One cell of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    /// Text as it is (names, ids, free text): the same in every language.
    Text(String),
    /// A fixed text in the reader's language.
    Label(Label),
    /// A catalogue message, rendered in the reader's language.
    Message(Message),
    Date(NaiveDate),
    /// A local date and time (the county's time zone).
    DateTime(NaiveDateTime),
    Number(i64),
    /// Several values in one cell, joined by `、` in Chinese and `, ` in English.
    List(Vec<Cell>),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Self {
        Cell::Text(value.into())
    }

    /// The text, or nothing when it is empty.
    pub fn text_or_empty(value: impl Into<String>) -> Self {
        let value = value.into();
        if value.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(value)
        }
    }

    /// The cell as text, as CSV writes it (before quoting).
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.clone(),
            Cell::Label(label) => label.get(lang).to_string(),
            Cell::Message(message) => message.text(lang),
            Cell::Date(day) => day.format("%Y-%m-%d").to_string(),
            Cell::DateTime(time) => time.format("%Y-%m-%d %H:%M:%S").to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::List(items) => items
                .iter()
                .map(|c| c.render(lang))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(lang.separator()),
        }
    }
}

/// A column: its header in both languages. The order of a table's columns never changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub header: Label,
}

impl Column {
    pub const fn new(zh: &'static str, en: &'static str) -> Self {
        Self {
            header: Label::new(zh, en),
        }
    }
}

/// The export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the spreadsheet: {0}")]
    Xlsx(String),
    #[error("cannot write the CSV file: {0}")]
    Csv(String),
}

impl From<XlsxError> for ExportError {
    fn from(error: XlsxError) -> Self {
        ExportError::Xlsx(error.to_string())
    }
}

impl From<csv::Error> for ExportError {
    fn from(error: csv::Error) -> Self {
        ExportError::Csv(error.to_string())
    }
}

/// A table of `N` columns: a sheet name in both languages, the columns, the rows (each of
/// exactly one cell per column).
#[derive(Clone, Debug, PartialEq)]
pub struct Table<const N: usize> {
    pub sheet: Label,
    pub columns: [Column; N],
    pub rows: Vec<[Cell; N]>,
}

/// A text that a spreadsheet program would read as a formula, made harmless with a leading
/// `'`: one that starts with `=`, `+`, `-` or `@`, or with a tab or a carriage return (which
/// some programs skip before they look for the formula's sign), as OWASP's CSV-injection
/// advice lists them.
fn defuse(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

/// The widest a column gets: 60 characters of Excel's default font (7 pixels each, and the
/// 5 pixels of the cell's margins).
const MAX_WIDTH_PX: u32 = 60 * 7 + 5;
/// How wide a full-width character (Chinese, `、`, `（`) shows in Excel's default font at its
/// default size: one em of 11 points at 96 dpi, 14.7 pixels, two digits' width.
/// rust_xlsxwriter's autofit counts 8 (`docs/adr/0005-xlsx-column-widths.md`).
const FULL_WIDTH_PX: u32 = 15;
/// What the header's filter button takes (as rust_xlsxwriter's autofit counts it).
const FILTER_BUTTON_PX: u32 = 16;

/// How wide a cell holding this text needs to be, in pixels: rust_xlsxwriter's measure of
/// the text (Excel's widths of the Latin characters, and the cell's padding), with each
/// full-width character counted at its width.
fn shown_width_px(text: &str) -> u32 {
    let full_width = text.chars().filter(|c| c.width() == Some(2)).count();
    let rest: String = text.chars().filter(|c| c.width() != Some(2)).collect();
    let full_width = u32::try_from(full_width).unwrap_or(u32::MAX);
    cell_autofit_width(&rest).saturating_add(full_width.saturating_mul(FULL_WIDTH_PX))
}

impl<const N: usize> Table<N> {
    pub fn new(sheet: Label, columns: [Column; N]) -> Self {
        Self {
            sheet,
            columns,
            rows: Vec::new(),
        }
    }

    /// The headers in a language, in column order.
    pub fn headers(&self, lang: Lang) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.header.get(lang)).collect()
    }

    /// The table as CSV text (with the byte-order mark).
    pub fn to_csv(&self, lang: Lang) -> Result<String, ExportError> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer("\u{feff}".as_bytes().to_vec());
        writer.write_record(self.headers(lang))?;
        for row in &self.rows {
            writer.write_record(row.iter().map(|cell| match cell {
                Cell::Text(_) | Cell::List(_) => defuse(cell.render(lang)),
                _ => cell.render(lang),
            }))?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| ExportError::Csv(e.error().to_string()))?;
        String::from_utf8(bytes).map_err(|e| ExportError::Csv(e.to_string()))
    }

    /// The table as an XLSX workbook of one sheet.
    pub fn to_xlsx(&self, lang: Lang) -> Result<Vec<u8>, ExportError> {
        let mut workbook = Workbook::new();
        let bold = XlsxFormat::new().set_bold();
        let date = XlsxFormat::new().set_num_format("yyyy-mm-dd");
        let datetime = XlsxFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let sheet = workbook.add_worksheet();
        sheet.set_name(self.sheet.get(lang))?;
        // The least width of each column, in pixels, where autofit would measure too little:
        // the header (bold, with its filter button), text with full-width characters, and
        // date-times (autofit measures every date as `mm/dd/yyyy`).
        let mut least: Vec<u32> = Vec::with_capacity(self.columns.len());
        for (col, header) in (0u16..).zip(self.headers(lang)) {
            sheet.write_string_with_format(0, col, header, &bold)?;
            // Bold takes about a character more than autofit counts.
            least.push(shown_width_px(header) + FILTER_BUTTON_PX + 7);
        }
        for (row, cells) in (1u32..).zip(&self.rows) {
            for ((col, cell), least) in (0u16..).zip(cells).zip(least.iter_mut()) {
                match cell {
                    Cell::Empty => {}
                    Cell::Date(day) => {
                        sheet.write_date_with_format(row, col, day, &date)?;
                    }
                    Cell::DateTime(time) => {
                        sheet.write_datetime_with_format(row, col, time, &datetime)?;
                        *least = (*least).max(shown_width_px(&cell.render(lang)));
                    }
                    Cell::Number(n) => {
                        // Counts and grades: far below 2^53, exact as a double.
                        sheet.write_number(row, col, *n as f64)?;
                    }
                    Cell::Text(_) | Cell::Label(_) | Cell::Message(_) | Cell::List(_) => {
                        let text = cell.render(lang);
                        if text.chars().any(|c| c.width() == Some(2)) {
                            *least = (*least).max(shown_width_px(&text));
                        }
                        sheet.write_string(row, col, text)?;
                    }
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        if let (Some(last_col), Ok(last_row)) = (
            self.columns.len().checked_sub(1),
            u32::try_from(self.rows.len()),
        ) {
            let last_col = u16::try_from(last_col).unwrap_or(u16::MAX);
            sheet.autofilter(0, 0, last_row, last_col)?;
        }
        // Autofit keeps a width set beforehand where that is the wider.
        for (col, least) in (0u16..).zip(least) {
            sheet.set_column_width_pixels(col, least.min(MAX_WIDTH_PX))?;
        }
        sheet.set_autofit_max_width(MAX_WIDTH_PX);
        sheet.autofit();
        Ok(workbook.save_to_buffer()?)
    }

    /// The table in the given format: CSV text as bytes, or an XLSX workbook.
    pub fn render(&self, format: Format, lang: Lang) -> Result<Vec<u8>, ExportError> {
        match format {
            Format::Csv => Ok(self.to_csv(lang)?.into_bytes()),
            Format::Xlsx => self.to_xlsx(lang),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CSV of a table of one row of these text cells, without the byte-order mark and the
    /// header line.
    fn csv_row<const N: usize>(cells: [&str; N]) -> String {
        let mut table = Table::new(Label::new("表", "Sheet"), [Column::new("甲", "A"); N]);
        table.rows.push(cells.map(Cell::text));
        let csv = table.to_csv(Lang::En).unwrap();
        let header = format!("\u{feff}{}\r\n", vec!["A"; N].join(","));
        csv.strip_prefix(&header).unwrap().to_string()
    }

    #[test]
    fn a_field_with_a_comma_quote_or_line_break_is_quoted_and_its_quotes_doubled() {
        assert_eq!(csv_row(["plain"]), "plain\r\n");
        assert_eq!(csv_row(["a,b"]), "\"a,b\"\r\n");
        assert_eq!(csv_row(["say \"hi\""]), "\"say \"\"hi\"\"\"\r\n");
        assert_eq!(csv_row(["two\r\nlines"]), "\"two\r\nlines\"\r\n");
    }

    #[test]
    fn a_text_that_looks_like_a_formula_is_defused_in_csv_but_a_number_is_not() {
        let mut table = Table::new(Label::new("表", "Sheet"), [Column::new("甲", "A"); 3]);
        table.rows.push([
            Cell::text("=HYPERLINK(\"x\")"),
            Cell::Number(-3),
            Cell::text("-"),
        ]);
        let csv = table.to_csv(Lang::En).unwrap();
        assert_eq!(csv, "\u{feff}A,A,A\r\n\"'=HYPERLINK(\"\"x\"\")\",-3,'-\r\n");
    }

    #[test]
    fn a_text_starting_with_a_tab_or_a_carriage_return_is_defused_too() {
        // OWASP's list: a spreadsheet program may skip the blank and run what follows.
        assert_eq!(
            csv_row(["\t=1+1", "\r=1+1", "+1", "@SUM(A1)", "a=b"]),
            "'\t=1+1,\"'\r=1+1\",'+1,'@SUM(A1),a=b\r\n"
        );
        // A list is text too.
        let mut table = Table::new(Label::new("表", "Sheet"), [Column::new("甲", "A")]);
        table
            .rows
            .push([Cell::List(vec![Cell::text("\t-1"), Cell::text("x")])]);
        assert!(
            table
                .to_csv(Lang::En)
                .unwrap()
                .ends_with("\r\n\"'\t-1, x\"\r\n"),
            "{:?}",
            table.to_csv(Lang::En)
        );
    }

    #[test]
    fn a_list_is_joined_the_way_each_language_writes_lists() {
        let list = Cell::List(vec![
            Cell::Label(Label::new("班主任", "Head teacher")),
            Cell::Empty,
            Cell::Label(Label::new("校长", "Principal")),
        ]);
        assert_eq!(list.render(Lang::Zh), "班主任、校长");
        assert_eq!(list.render(Lang::En), "Head teacher, Principal");
    }

    #[test]
    fn lang_and_format_are_read_from_their_names_and_anything_else_is_refused() {
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert_eq!("xlsx".parse::<Format>(), Ok(Format::Xlsx));
        assert_eq!(
            "fr".parse::<Lang>().unwrap_err().to_string(),
            "\"fr\" is not one of zh, en"
        );
        assert_eq!(
            "pdf".parse::<Format>().unwrap_err().to_string(),
            "\"pdf\" is not one of csv, xlsx"
        );
        assert_eq!(Lang::default(), Lang::Zh);
    }

    /// A part of an XLSX file (a zip archive of XML files), as text.
    fn part(xlsx: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
        text
    }

    #[test]
    fn the_xlsx_header_row_is_bold_frozen_and_filterable_and_columns_fit_their_content() {
        let mut table = Table::new(
            Label::new("台账", "Ledger"),
            [Column::new("姓名", "Name"), Column::new("日期", "Day")],
        );
        table.rows.push([
            Cell::text("一个很长很长很长很长的名字"),
            Cell::Date(NaiveDate::from_ymd_opt(2023, 11, 8).unwrap()),
        ]);
        let xlsx = table.to_xlsx(Lang::Zh).unwrap();
        let sheet = part(&xlsx, "xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{sheet}"
        );
        assert!(sheet.contains(r#"<autoFilter ref="A1:B2"/>"#), "{sheet}");
        // Header cells take the first style after the default; it is bold.
        assert!(sheet.contains(r#"<c r="A1" s="1" t="s">"#), "{sheet}");
        let styles = part(&xlsx, "xl/styles.xml");
        let fonts = styles.split("<font>").nth(2).unwrap_or_default();
        assert!(fonts.starts_with("<b/>"), "{styles}");
        assert!(styles.contains(r#"formatCode="yyyy-mm-dd""#), "{styles}");
        // 13 Chinese characters: 26 units and a little room.
        let width: f64 = sheet
            .split(r#"<col min="1" max="1" width=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!((26.0..=30.0).contains(&width), "{sheet}");
    }
}
