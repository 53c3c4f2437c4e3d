//! Checking what people type: [`parse_number`] reads a 64-bit value written in decimal, negative decimal or hex,
//! and [`set_field`] applies one named edit to a [`Scenario`], or says clearly why not. Nothing here panics; every
//! rejection is a message meant for the person who typed it.

use super::layout::PATH_MAX_HERE;
use super::scenario::{Program, Scenario};

/// The longest notes.txt the editor accepts.
pub const MAX_FILE_TEXT: usize = 1024;
/// The longest buffer text (what `write` sends).
pub const MAX_BUFFER_TEXT: usize = 256;
/// Linux's `PID_MAX_LIMIT` on 64-bit.
pub const PID_MAX: u32 = 4_194_304;

/// Parses a 64-bit register value: `64`, `-1` (two's complement), `0x404100`, `-0x26`, with `_` allowed between
/// digits.
///
/// ```
/// use syscall_explorer::model::input::parse_number;
/// assert_eq!(parse_number("0x404100"), Ok(0x404100));
/// assert_eq!(parse_number("-1"), Ok(u64::MAX));
/// assert!(parse_number("12abc").is_err());
/// ```
///
/// # Errors
/// A sentence saying what is wrong with the text.
pub fn parse_number(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("enter a number, such as 64 or 0x404100".to_string());
    }
    let (negative, rest) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let (radix, digits) = match rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        Some(hex_digits) => (16, hex_digits),
        None => (10, rest),
    };
    let digits: String = digits.chars().filter(|ch| *ch != '_').collect();
    if digits.is_empty() || !digits.chars().all(|ch| ch.is_digit(radix)) {
        let shown: String = trimmed.chars().take(24).collect();
        return Err(format!("\"{shown}\" is not a number: write decimal (64, -1) or hex (0x404100)"));
    }
    let magnitude = u64::from_str_radix(&digits, radix)
        .map_err(|_| "too big: registers hold 64 bits (at most 0xffffffffffffffff)".to_string())?;
    if negative {
        if magnitude > 1 << 63 {
            return Err("too negative: the smallest 64-bit value is -9223372036854775808".to_string());
        }
        Ok(magnitude.wrapping_neg())
    } else {
        Ok(magnitude)
    }
}

/// Writes a value so that [`parse_number`] reads it back and a person reads it easily: small negatives (AT_FDCWD,
/// -1, -errno) in decimal, addresses and other values above 32 bits in hex, the rest in decimal.
///
/// ```
/// use syscall_explorer::model::input::show_number;
/// assert_eq!(show_number((-100i64) as u64, false), "-100");
/// assert_eq!(show_number(0x404100, true), "0x404100");
/// assert_eq!(show_number(64, false), "64");
/// ```
pub fn show_number(value: u64, address: bool) -> String {
    let signed = value as i64;
    if (-4096..0).contains(&signed) {
        signed.to_string()
    } else if address || value > 0xffff_ffff {
        format!("{value:#x}")
    } else {
        value.to_string()
    }
}

/// Whether an argument of this name is an address (shown in hex).
pub fn is_address(arg_name: &str) -> bool {
    matches!(arg_name, "buf" | "pathname" | "tp")
}

/// The names of the six argument slots, `arg0` (RDI, or EBX for `int 0x80`) to `arg5`.
pub const ARG_FIELDS: [&str; 6] = ["arg0", "arg1", "arg2", "arg3", "arg4", "arg5"];

/// The fields [`set_field`] knows, for help texts.
pub const FIELD_NAMES: [&str; 17] = [
    "nr",
    "arg0",
    "arg1",
    "arg2",
    "arg3",
    "arg4",
    "arg5",
    "fd",
    "buf",
    "count",
    "probe_rcx",
    "pid",
    "clock_ns",
    "file_text",
    "path",
    "buffer_text",
    "mitigations",
];

/// Which argument slot a friendly name refers to for this program.
fn named_arg(program: Program, name: &str) -> Option<usize> {
    program.arg_names().iter().position(|arg_name| *arg_name == name).or(match (program, name) {
        (Program::Raw, "fd") => Some(0),
        (Program::Raw, "buf") => Some(1),
        (Program::Raw, "count") => Some(2),
        _ => None,
    })
}

/// Applies one edit to the scenario.
///
/// ```
/// use syscall_explorer::model::{input::set_field, Scenario};
/// let mut scenario = Scenario::default();
/// set_field(&mut scenario, "fd", "7").unwrap();
/// assert_eq!(scenario.args[0], 7);
/// assert!(set_field(&mut scenario, "count", "lots").is_err());
/// ```
///
/// # Errors
/// A sentence for the person who typed the value.
pub fn set_field(scenario: &mut Scenario, name: &str, value: &str) -> Result<(), String> {
    match name {
        "nr" | "probe_rcx" if scenario.program != Program::Raw => {
            return Err(format!(
                "only the raw syscall scenarios take {}; {} sets its own registers",
                if name == "nr" { "a number" } else { "a probe value" },
                scenario.program.signature()
            ));
        }
        "nr" => scenario.nr = parse_number(value)?,
        "probe_rcx" => scenario.probe_rcx = parse_number(value)?,
        "clock_ns" => scenario.clock_ns = parse_number(value)?,
        "pid" => {
            let pid = parse_number(value)?;
            if pid == 0 || pid > u64::from(PID_MAX) {
                return Err(format!("a pid is between 1 and {PID_MAX}"));
            }
            scenario.pid = pid as u32;
        }
        "file_text" => {
            if value.len() > MAX_FILE_TEXT {
                return Err(format!("keep the file under {MAX_FILE_TEXT} bytes (this is {})", value.len()));
            }
            scenario.file_text = value.to_string();
        }
        "buffer_text" => {
            if value.len() > MAX_BUFFER_TEXT {
                return Err(format!("keep the buffer text under {MAX_BUFFER_TEXT} bytes (this is {})", value.len()));
            }
            scenario.buffer_text = value.to_string();
        }
        "mitigations" => {
            scenario.mitigations = match value.trim() {
                "on" | "1" | "true" => true,
                "off" | "0" | "false" => false,
                _ => return Err("mitigations is on or off".to_string()),
            }
        }
        "path" => {
            if value.contains('\0') {
                return Err("a path cannot contain a NUL byte".to_string());
            }
            if value.len() >= PATH_MAX_HERE {
                return Err(format!("keep the path under {} bytes", PATH_MAX_HERE - 1));
            }
            scenario.path = value.to_string();
        }
        _ => {
            let slot = match name.strip_prefix("arg").and_then(|idx| idx.parse::<usize>().ok()) {
                Some(idx) if idx < 6 => Some(idx),
                _ => named_arg(scenario.program, name),
            };
            let Some(slot) = slot else {
                return Err(format!(
                    "unknown field \"{}\" for this scenario",
                    name.chars().take(24).collect::<String>()
                ));
            };
            scenario.args[slot] = parse_number(value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_every_notation() {
        let cases: [(&str, Result<u64, ()>); 12] = [
            ("0", Ok(0)),
            ("64", Ok(64)),
            ("  64 ", Ok(64)),
            ("-1", Ok(u64::MAX)),
            ("-38", Ok((-38i64) as u64)),
            ("0x404100", Ok(0x404100)),
            ("0XFF", Ok(255)),
            ("-0x26", Ok((-38i64) as u64)),
            ("1_000", Ok(1000)),
            ("0x", Err(())),
            ("18446744073709551616", Err(())),
            ("-9223372036854775809", Err(())),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_number(text).map_err(|_| ()), expected, "{text:?}");
        }
    }
}
