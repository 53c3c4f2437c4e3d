//! Figures measured on a real machine by `trace measure`, as a plain value the page can carry in its URL.
//!
//! The link form is three query parameters: `cpu` (the CPU model), `kernel` (the kernel release) and `ns`, the
//! median of each timed operation in nanoseconds as `id:value` pairs, for example
//! `cpu=AMD EPYC 9R45&kernel=6.18.44&ns=call:1.0,getpid:91.4,vdso:21.4,clock:143.8,read:230.5`.
//! [`Measurement::parse`] checks every part and says what is wrong; [`Measurement::to_pairs`] writes it back.

/// One operation `trace measure` times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// An empty function call that the compiler may not inline: the baseline.
    FunctionCall,
    /// A raw `syscall` instruction with RAX = 39 (getpid): the smallest round trip into the kernel.
    SyscallGetpid,
    /// `clock_gettime(CLOCK_MONOTONIC)` through the vDSO: no crossing at all.
    VdsoClock,
    /// The same clock read through a raw `syscall` (228).
    SyscallClock,
    /// `read(fd, buf, 1)` of /dev/zero: a crossing that does a little work.
    ReadDevZero,
}

impl Operation {
    /// Every operation, in the order they are shown.
    pub const ALL: [Operation; 5] = [
        Operation::FunctionCall,
        Operation::VdsoClock,
        Operation::SyscallGetpid,
        Operation::SyscallClock,
        Operation::ReadDevZero,
    ];

    /// The id in links and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Operation::FunctionCall => "call",
            Operation::SyscallGetpid => "getpid",
            Operation::VdsoClock => "vdso",
            Operation::SyscallClock => "clock",
            Operation::ReadDevZero => "read",
        }
    }

    /// The operation with this id.
    pub fn from_id(id: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|operation| operation.id() == id)
    }

    /// What it is, in a few words.
    pub fn label(self) -> &'static str {
        match self {
            Operation::FunctionCall => "function call",
            Operation::SyscallGetpid => "syscall getpid",
            Operation::VdsoClock => "clock_gettime, vDSO",
            Operation::SyscallClock => "clock_gettime, syscall",
            Operation::ReadDevZero => "read 1 byte of /dev/zero",
        }
    }
}

/// The longest CPU or kernel text a link may carry.
pub const MAX_TEXT: usize = 96;
/// The largest figure a link may carry, in ns (a millisecond: anything slower is not one of these operations).
pub const MAX_NS: u32 = 1_000_000;

/// `"91.4"` → 914 tenths of a ns: digits, at most one decimal (more are rounded half up), above 0 and at most
/// [`MAX_NS`]. Integer arithmetic only: float parsing and printing would add kilobytes to the WebAssembly.
fn parse_tenths(text: &str) -> Option<u32> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if whole.is_empty() || whole.len() > 7 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut fraction = fraction.bytes().map(|byte| u32::from(byte - b'0'));
    let tenths = whole.parse::<u32>().ok()? * 10 + fraction.next().unwrap_or(0) + u32::from(fraction.next() >= Some(5));
    (1..=MAX_NS * 10).contains(&tenths).then_some(tenths)
}

/// Medians measured on one machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Measurement {
    pub cpu: String,
    pub kernel: String,
    /// The median of each operation measured, in tenths of a nanosecond (the precision a link carries), in
    /// [`Operation::ALL`] order.
    pub tenths: Vec<(Operation, u32)>,
}

fn check_text(name: &str, text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{name} is empty"));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(format!("{name} is longer than {MAX_TEXT} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err(format!("{name} contains a control character"));
    }
    Ok(text.to_string())
}

impl Measurement {
    /// The median of one operation, if it was measured.
    pub fn median(&self, operation: Operation) -> Option<f64> {
        self.tenths.iter().find(|(measured, _)| *measured == operation).map(|(_, tenths)| f64::from(*tenths) / 10.0)
    }

    /// Reads the three link parameters.
    ///
    /// ```
    /// use syscall_explorer::model::measured::{Measurement, Operation};
    /// let measured = Measurement::parse("Xeon", "6.12.0", "getpid:91.4,vdso:21").unwrap();
    /// assert_eq!(measured.median(Operation::VdsoClock), Some(21.0));
    /// assert_eq!(Measurement::parse("Xeon", "6.12.0", "read:0.05").unwrap().tenths[0].1, 1);
    /// assert!(Measurement::parse("Xeon", "6.12.0", "getpid:-3").is_err());
    /// assert!(Measurement::parse("Xeon", "6.12.0", "getpid:0.0").is_err());
    /// assert!(Measurement::parse("Xeon", "6.12.0", "getpid:1e3").is_err());
    /// ```
    ///
    /// # Errors
    /// A sentence naming the part that is wrong.
    pub fn parse(cpu: &str, kernel: &str, ns: &str) -> Result<Measurement, String> {
        let cpu = check_text("the CPU name", cpu)?;
        let kernel = check_text("the kernel version", kernel)?;
        let mut tenths: Vec<(Operation, u32)> = Vec::new();
        for pair in ns.split(',').map(str::trim).filter(|pair| !pair.is_empty()) {
            let Some((id, value)) = pair.split_once(':') else {
                return Err(format!("\"{pair}\" is not id:nanoseconds"));
            };
            let Some(operation) = Operation::from_id(id.trim()) else {
                return Err(format!("\"{}\" is not a measured operation (call, getpid, vdso, clock, read)", id.trim()));
            };
            let value = parse_tenths(value.trim()).ok_or_else(|| {
                format!("\"{}\" for {id} is not a number of ns above 0 and up to {MAX_NS}", value.trim())
            })?;
            if tenths.iter().any(|(seen, _)| *seen == operation) {
                return Err(format!("{id} is given twice"));
            }
            tenths.push((operation, value));
        }
        if tenths.is_empty() {
            return Err("no figures (ns=getpid:91.4,…)".to_string());
        }
        // In the order they are shown, whatever order the link gave them in.
        let tenths = Operation::ALL
            .iter()
            .filter_map(|operation| tenths.iter().find(|(given, _)| given == operation).copied())
            .collect();
        Ok(Measurement { cpu, kernel, tenths })
    }

    /// The link parameters that give this measurement back (ns to one decimal).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let ns = self
            .tenths
            .iter()
            .map(|(operation, tenths)| format!("{}:{}.{}", operation.id(), tenths / 10, tenths % 10))
            .collect::<Vec<_>>()
            .join(",");
        vec![("cpu".to_string(), self.cpu.clone()), ("kernel".to_string(), self.kernel.clone()), ("ns".to_string(), ns)]
    }
}
