//! Lists as schools and offices save them, read into the text every import's reader takes:
//! CSV in UTF-8, CSV in GBK/GB18030 (what Chinese Excel writes as "CSV"), or a workbook
//! (XLSX, and the older XLS and ODS), each made into UTF-8 CSV text **whose lines are the
//! file's**: line n of the text is line n of a CSV file, or row n of the workbook's first
//! sheet. So the domain's readers, which name a refused row by its line and its column, name
//! it as the person who made the file sees it. Every import reads its files through here:
//! the grade-6 watch, the registry cross-check, the users, a school's roll calls and a county's ledger.
//!
//! Bytes in, text out: no file is opened here (the command line reads the file, a form would
//! upload it).

use std::io::Cursor;

use calamine::{Data, Reader};
use encoding_rs::GB18030;

/// The text encoding of a CSV list: found from its bytes, or named by whoever imports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 if the bytes are UTF-8; GBK/GB18030 if they are not and read as such.
    #[default]
    Auto,
    Utf8,
    /// GBK and GB18030 (GB18030 is GBK's superset: a GBK file reads the same either way).
    Gb18030,
}

impl std::str::FromStr for Encoding {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        match value.to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gbk" | "gb18030" | "gb2312" => Ok(Encoding::Gb18030),
            _ => Err(format!(
                "{value:?} is not an encoding this reads: auto, utf-8, gbk or gb18030"
            )),
        }
    }
}

/// How a list was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadAs {
    Utf8,
    Gb18030,
    /// The first sheet of a workbook, by its name.
    Workbook {
        sheet: String,
    },
}

impl std::fmt::Display for ReadAs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadAs::Utf8 => write!(f, "CSV in UTF-8"),
            ReadAs::Gb18030 => write!(f, "CSV in GBK/GB18030"),
            ReadAs::Workbook { sheet } => write!(f, "the workbook's sheet {sheet:?}"),
        }
    }
}

/// A list read: its CSV text (UTF-8, the file's lines), and how it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListText {
    pub text: String,
    pub read_as: ReadAs,
}

/// Why a file cannot be read as a list; nothing of it is used. Each says what to do, after
/// the file's name ("leavers.csv is not UTF-8 text (line 3); …").
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ListFileError {
    #[error("is not UTF-8 text (line {line}); save the list as CSV in UTF-8 or GBK, or as XLSX")]
    NotUtf8 { line: usize },
    #[error(
        "is not UTF-8 text (line {line}), though the lines before it are: it mixes two \
         encodings; save the list again as CSV (UTF-8 or GBK) or as XLSX"
    )]
    MixedEncodings { line: usize },
    #[error(
        "is neither UTF-8 nor GBK/GB18030 text (line {line}); save the list as CSV in UTF-8 or \
         GBK, or as XLSX"
    )]
    NotGb18030 { line: usize },
    #[error("is UTF-16 text; save the list as CSV in UTF-8 or GBK, or as XLSX")]
    Utf16,
    #[error(
        "holds a NUL character (line {line}); save the list as CSV in UTF-8 or GBK, or as XLSX"
    )]
    Nul { line: usize },
    #[error("cannot be read as a workbook ({0}); save it again as XLSX, or as CSV")]
    Workbook(String),
    #[error("is a workbook without a sheet")]
    NoSheet,
}

impl ListFileError {
    /// Why the file cannot be read, in the catalogue's words (what the API answers).
    pub fn message(&self) -> notoneless_i18n::Message {
        use notoneless_i18n::{Message, Msg};
        match self {
            ListFileError::NotUtf8 { line } | ListFileError::NotGb18030 { line } => {
                Message::new(Msg::FileNotText).with("line", *line)
            }
            ListFileError::MixedEncodings { line } => {
                Message::new(Msg::FileMixedEncodings).with("line", *line)
            }
            ListFileError::Utf16 => Message::new(Msg::FileUtf16),
            ListFileError::Nul { line } => Message::new(Msg::FileNul).with("line", *line),
            ListFileError::Workbook(_) => Message::new(Msg::FileNotWorkbook),
            ListFileError::NoSheet => Message::new(Msg::FileNoSheet),
        }
    }
}

const ZIP: &[u8] = b"PK\x03\x04";
const OLE2: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";

/// Reads a list file's bytes into CSV text. A workbook is known by its first bytes (a zip
/// archive: XLSX or ODS; an OLE2 file: XLS), whatever `encoding` says; any other file is
/// CSV text in `encoding`.
pub fn read_list(bytes: &[u8], encoding: Encoding) -> Result<ListText, ListFileError> {
    if bytes.starts_with(ZIP) || bytes.starts_with(OLE2) {
        return read_workbook(bytes);
    }
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return Err(ListFileError::Utf16);
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(ListFileError::Nul {
            line: line_of(bytes, offset),
        });
    }
    let utf8 = std::str::from_utf8(bytes);
    match (encoding, utf8) {
        (Encoding::Auto | Encoding::Utf8, Ok(text)) => Ok(ListText {
            text: text.to_string(),
            read_as: ReadAs::Utf8,
        }),
        (Encoding::Utf8, Err(error)) => Err(ListFileError::NotUtf8 {
            line: line_of(bytes, error.valid_up_to()),
        }),
        (Encoding::Auto, Err(error)) => {
            // A file whose text before the first bad byte already holds UTF-8 beyond ASCII
            // was written in UTF-8: the bad bytes were pasted in from elsewhere. Reading it
            // as GBK would turn its good lines into nonsense that might even be imported.
            let before = &bytes[..error.valid_up_to()];
            if !before.is_ascii() {
                return Err(ListFileError::MixedEncodings {
                    line: line_of(bytes, error.valid_up_to()),
                });
            }
            decode_gb18030(bytes)
        }
        (Encoding::Gb18030, _) => decode_gb18030(bytes),
    }
}

/// The line (from 1) of the byte at `offset`.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn decode_gb18030(bytes: &[u8]) -> Result<ListText, ListFileError> {
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(4));
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(ListText {
            text,
            read_as: ReadAs::Gb18030,
        }),
        encoding_rs::DecoderResult::Malformed(bad, after) => {
            let start = read.saturating_sub(usize::from(after) + usize::from(bad));
            Err(ListFileError::NotGb18030 {
                line: line_of(bytes, start),
            })
        }
        // The buffer was sized for the whole input: only a bug could leave it full.
        encoding_rs::DecoderResult::OutputFull => Err(ListFileError::NotGb18030 {
            line: line_of(bytes, read),
        }),
    }
}

/// The first sheet of a workbook as CSV text, row n of the sheet on line n. A row is as wide
/// as the header (the first row with anything in it) or as its last cell with anything in
/// it; an empty row is an empty line (the readers skip it, and count it). A line break inside
/// a cell (Alt+Enter in Excel) is read as a space, so that every row is one line.
fn read_workbook(bytes: &[u8]) -> Result<ListText, ListFileError> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ListFileError::Workbook(e.to_string()))?;
    let sheet = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(ListFileError::NoSheet)?;
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| ListFileError::Workbook(e.to_string()))?;
    let mut lines: Vec<String> = Vec::new();
    if let Some((first_row, first_column)) = range.start() {
        // Rows above the used range are empty lines.
        lines.extend((0..first_row).map(|_| String::new()));
        let mut width: Option<usize> = None;
        for row in range.rows() {
            // Columns left of the used range are empty cells.
            let cells: Vec<String> = std::iter::repeat_n(String::new(), first_column as usize)
                .chain(row.iter().map(cell_text))
                .collect();
            let used = cells.iter().rposition(|c| !c.is_empty()).map(|i| i + 1);
            let Some(used) = used else {
                lines.push(String::new());
                continue;
            };
            let width = *width.get_or_insert(used);
            lines.push(csv_line(&cells[..used.max(width).min(cells.len())]));
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Ok(ListText {
        text,
        read_as: ReadAs::Workbook { sheet },
    })
}

/// One record as a line of CSV, quoted where it must be.
fn csv_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|cell| {
            if cell.contains([',', '"']) || cell.starts_with(' ') || cell.ends_with(' ') {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A cell as text: a whole number without a fraction (a phone or student number Excel
/// stores as a number), a date as YYYY-MM-DD (with its time, if it has one), an error as
/// Excel shows it (`#N/A`), which the list's reader then refuses by its column.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.replace("\r\n", " ").replace(['\n', '\r'], " "),
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
            format!("{}", *number as i64)
        }
        Data::Float(number) => number.to_string(),
        Data::Int(number) => number.to_string(),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(datetime) => {
            let (year, month, day, hour, minute, second, milli) = datetime.to_ymd_hms_milli();
            if (hour, minute, second, milli) == (0, 0, 0, 0) {
                format!("{year:04}-{month:02}-{day:02}")
            } else {
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")
            }
        }
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Error(error) => format!("#{error:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_read_as_it_is_and_gbk_is_found_and_decoded() {
        let text = "id,name\nwang,王老师\n";
        let read = read_list(text.as_bytes(), Encoding::Auto).unwrap();
        assert_eq!(
            read,
            ListText {
                text: text.into(),
                read_as: ReadAs::Utf8
            }
        );
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let read = read_list(&gbk, Encoding::Auto).unwrap();
        assert_eq!(read.text, text);
        assert_eq!(read.read_as, ReadAs::Gb18030);
        let read = read_list(&gbk, Encoding::Gb18030).unwrap();
        assert_eq!(read.text, text);
        assert_eq!(
            read_list(&gbk, Encoding::Utf8),
            Err(ListFileError::NotUtf8 { line: 2 })
        );
    }

    #[test]
    fn a_utf8_list_with_a_gbk_line_pasted_in_is_refused_at_that_line() {
        let mut bytes = "id,name\nwang,王老师\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"li,\xc0\xee\n");
        assert_eq!(
            read_list(&bytes, Encoding::Auto),
            Err(ListFileError::MixedEncodings { line: 3 })
        );
    }

    #[test]
    fn bytes_that_are_no_text_are_refused_naming_the_line() {
        assert_eq!(
            read_list(b"id,name\n\x81\x20x\n", Encoding::Auto),
            Err(ListFileError::NotGb18030 { line: 2 })
        );
        assert_eq!(
            read_list(b"id,name\nwang,\0\n", Encoding::Auto),
            Err(ListFileError::Nul { line: 2 })
        );
        assert_eq!(
            read_list(b"\xff\xfei\0d\0", Encoding::Auto),
            Err(ListFileError::Utf16)
        );
        assert!(matches!(
            read_list(b"PK\x03\x04 not a workbook", Encoding::Auto),
            Err(ListFileError::Workbook(_))
        ));
    }

    #[test]
    fn a_workbooks_rows_are_the_texts_lines() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name("教师").unwrap();
        sheet.write_string(0, 0, "id").unwrap();
        sheet.write_string(0, 1, "name").unwrap();
        sheet.write_string(0, 2, "phone").unwrap();
        sheet.write_string(1, 0, "wang").unwrap();
        sheet.write_string(1, 1, "王\n老师, \"校长\"").unwrap();
        sheet.write_number(1, 2, 13800001234.0).unwrap();
        // Row 3 empty; row 4 with a date and its last cell empty.
        sheet.write_string(3, 0, "li").unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2012, 5, 5).unwrap();
        sheet
            .write_datetime_with_format(3, 1, &day, &format)
            .unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let read = read_list(&bytes, Encoding::Gb18030).unwrap();
        assert_eq!(
            read.read_as,
            ReadAs::Workbook {
                sheet: "教师".into()
            }
        );
        assert_eq!(
            read.text,
            "id,name,phone\nwang,\"王 老师, \"\"校长\"\"\",13800001234\n\nli,2012-05-05,\n"
        );
    }
}
