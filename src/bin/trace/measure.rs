//! `trace measure`: what a trip into the kernel costs on the machine it runs on, next to a plain function call.
//!
//! Each operation of [`Operation::ALL`] is warmed up, then timed as many samples; a sample is one batch of N calls
//! timed with [`Instant`] (N calibrated so that a batch takes a few microseconds, so the clock's own cost is a small
//! share of it), divided by N. The report is the min, median and p99 of those per-call figures, with the machine
//! they were taken on (CPU model, kernel release, clock source, the kernel's verdict on each CPU vulnerability).
//! `--link` turns the medians into a link to the page's cost view, through [`Measurement`], the page's own parser.
//!
//! The two raw `syscall`s are the only `unsafe` code of the crate outside `tests/real_cpu.rs` ([`raw`]; the
//! architecture test allows exactly this file).

use std::fmt::Write as _;
use std::fs::{self, File};
use std::hint::black_box;
use std::io::Read;
use std::time::{Duration, Instant};

use syscall_explorer::link::encode_component;
use syscall_explorer::model::measured::{Measurement, Operation, MAX_TEXT};
use syscall_explorer::model::trace::json_string;
use syscall_explorer::model::Preset;

/// Where `--link` points without a BASE: the address `scripts/serve.sh` (the README's serve command) serves on.
pub const DEFAULT_BASE: &str = "http://127.0.0.1:8080/";

/// The subcommand's lines of `trace --help`.
pub const USAGE: &str = "\
usage: trace measure [--json] [--link [BASE]] [--quick]

  times, on this machine, a function call, a raw syscall getpid, clock_gettime(CLOCK_MONOTONIC) through the vDSO
  and through a raw syscall, and a 1-byte read of /dev/zero; prints min, median and p99 in ns per call, with the
  CPU model, the kernel release and the CPU vulnerabilities the kernel reports (about a second)

  --json           print JSON: {\"cpu\", \"kernel\", \"clocksource\", \"vulnerabilities\": {name: text} or null,
                   \"samples\", \"operations\": [{id, label, calls_per_sample, min_ns, median_ns, p99_ns}],
                   \"skipped\": [{id, label, reason}], \"link\" (with --link)}
  --link [BASE]    also print a link to the page's cost view with these medians
                   (BASE defaults to http://127.0.0.1:8080/, where scripts/serve.sh serves)
  --quick          fewer, shorter samples (a rough figure in a fraction of the time; for tests)
";

const CPUINFO: &str = "/proc/cpuinfo";
const OSRELEASE: &str = "/proc/sys/kernel/osrelease";
const CLOCKSOURCE: &str = "/sys/devices/system/clocksource/clocksource0/current_clocksource";
const VULNERABILITIES: &str = "/sys/devices/system/cpu/vulnerabilities";

/// How long and how often to time.
struct Plan {
    /// Samples per operation.
    samples: usize,
    /// What one batch should take: long against the clock's own cost (tens of ns), short against the timer tick.
    batch: Duration,
    /// Spinning before the first operation, so the core is at speed.
    warmup_all: Duration,
    /// Running each operation before its samples (caches, branch predictors, the page of /dev/zero's file).
    warmup_each: Duration,
}

const FULL: Plan = Plan {
    samples: 10_000,
    batch: Duration::from_micros(5),
    warmup_all: Duration::from_millis(100),
    warmup_each: Duration::from_millis(10),
};

const QUICK: Plan = Plan {
    samples: 400,
    batch: Duration::from_micros(2),
    warmup_all: Duration::from_millis(5),
    warmup_each: Duration::from_millis(1),
};

/// The most calls one batch makes, whatever the calibration says.
const MAX_CALLS: u64 = 1 << 20;

struct Options {
    json: bool,
    link: Option<String>,
    quick: bool,
}

fn parse_options(args: Vec<String>) -> Result<Option<Options>, String> {
    let mut options = Options { json: false, link: None, quick: false };
    let mut args = args.into_iter().peekable();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--json" => options.json = true,
            "--quick" => options.quick = true,
            "--link" => {
                let base = args.next_if(|next| !next.starts_with('-')).unwrap_or_else(|| DEFAULT_BASE.to_string());
                options.link = Some(checked_base(base)?);
            }
            other => match other.strip_prefix("--link=") {
                Some(base) => options.link = Some(checked_base(base.to_string())?),
                None => return Err(format!("unknown option {other:?}")),
            },
        }
    }
    Ok(Some(options))
}

fn checked_base(base: String) -> Result<String, String> {
    if ["http://", "https://", "file://"].iter().any(|scheme| base.starts_with(scheme)) {
        Ok(base)
    } else {
        Err(format!("--link BASE is the page's address (http://, https:// or file://), not {base:?}"))
    }
}

/// Runs `trace measure ARGS`; the process's exit code.
pub fn main(args: Vec<String>) -> i32 {
    let options = match parse_options(args) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{USAGE}");
            return 0;
        }
        Err(message) => {
            eprintln!("trace measure: {message}\n\n{USAGE}");
            return 2;
        }
    };
    let machine = Machine::read();
    let plan = if options.quick { &QUICK } else { &FULL };
    let results = measure_all(plan);
    let link = match &options.link {
        Some(base) => match link(base, &machine, &results) {
            Ok(url) => Some(url),
            Err(message) => {
                eprintln!("trace measure: no link: {message}");
                return 1;
            }
        },
        None => None,
    };
    if options.json {
        print!("{}", json(&machine, plan, &results, link.as_deref()));
    } else {
        print!("{}", table(&machine, plan, &results));
        if let Some(url) = link {
            println!("\n{url}");
        }
    }
    0
}

/// The machine the figures come from. A file that cannot be read is "unknown".
struct Machine {
    cpu: String,
    kernel: String,
    clocksource: String,
    /// Every file of the vulnerabilities directory (name, content), by name; `None` without the directory.
    vulnerabilities: Option<Vec<(String, String)>>,
}

fn read_text(path: &str) -> Option<String> {
    let text = fs::read_to_string(path).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn unknown() -> String {
    "unknown".to_string()
}

impl Machine {
    fn read() -> Machine {
        let cpu = read_text(CPUINFO).and_then(|cpuinfo| {
            cpuinfo.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key.trim() == "model name" && !value.trim().is_empty()).then(|| value.trim().to_string())
            })
        });
        let vulnerabilities = fs::read_dir(VULNERABILITIES).ok().map(|entries| {
            let mut found: Vec<(String, String)> = entries
                .flatten()
                .map(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let content = entry.path().to_str().and_then(read_text).unwrap_or_else(unknown);
                    (name, content)
                })
                .collect();
            found.sort();
            found
        });
        Machine {
            cpu: cpu.unwrap_or_else(unknown),
            kernel: read_text(OSRELEASE).unwrap_or_else(unknown),
            clocksource: read_text(CLOCKSOURCE).unwrap_or_else(unknown),
            vulnerabilities,
        }
    }
}

/// The per-call figures of one operation, in ns.
struct Stats {
    calls_per_sample: u64,
    min: f64,
    median: f64,
    p99: f64,
}

/// What became of one operation.
enum Outcome {
    Measured(Stats),
    Skipped(String),
}

/// Times `batch(n)` (n calls of one operation) once.
fn time_batch(batch: &mut dyn FnMut(u64), calls: u64) -> Duration {
    let start = Instant::now();
    batch(calls);
    start.elapsed()
}

/// Doubles the batch until its fastest of three runs takes at least `target`.
fn calibrate(batch: &mut dyn FnMut(u64), target: Duration) -> u64 {
    let mut calls = 1;
    while calls < MAX_CALLS {
        let fastest = (0..3).map(|_| time_batch(batch, calls)).min().unwrap_or_default();
        if fastest >= target {
            break;
        }
        calls *= 2;
    }
    calls
}

fn warm_up(batch: &mut dyn FnMut(u64), calls: u64, spell: Duration) {
    let start = Instant::now();
    while start.elapsed() < spell {
        batch(calls);
    }
}

/// Warms up, calibrates and samples one operation.
fn measure(batch: &mut dyn FnMut(u64), plan: &Plan) -> Stats {
    warm_up(batch, 1, plan.warmup_each / 4);
    let calls = calibrate(batch, plan.batch);
    warm_up(batch, calls, plan.warmup_each);
    let mut per_call: Vec<f64> =
        (0..plan.samples).map(|_| time_batch(batch, calls).as_nanos() as f64 / calls as f64).collect();
    per_call.sort_by(f64::total_cmp);
    let count = per_call.len();
    let median =
        if count % 2 == 1 { per_call[count / 2] } else { (per_call[count / 2 - 1] + per_call[count / 2]) / 2.0 };
    // Nearest rank: the smallest figure at least 99 % of the samples do not exceed.
    let p99 = per_call[(count * 99).div_ceil(100) - 1];
    Stats { calls_per_sample: calls, min: per_call[0], median, p99 }
}

/// The baseline: a function the compiler keeps (never inlined) and that does nothing.
#[inline(never)]
fn empty() {}

fn batch_call(calls: u64) {
    // Through black_box the call is to an unknown function, so the compiler can neither inline nor drop it (LLVM
    // deletes a direct call to a known empty function, `#[inline(never)]` or not).
    let function = black_box(empty as fn());
    for _ in 0..calls {
        function();
    }
}

fn batch_vdso(calls: u64) {
    for _ in 0..calls {
        // On Linux, `Instant::now()` is exactly glibc's clock_gettime(CLOCK_MONOTONIC), which glibc answers in user
        // mode from the vDSO (the kernel's page of code and clock data mapped into every process): no syscall, unless
        // the clock source cannot be read from user mode (the report's `clocksource`).
        black_box(Instant::now());
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn raw_operation(operation: Operation) -> Result<Box<dyn FnMut(u64)>, String> {
    match operation {
        Operation::SyscallGetpid => {
            let pid = raw::getpid();
            if pid != i64::from(std::process::id()) {
                return Err(format!("the raw getpid returned {pid}, not this process's id"));
            }
            Ok(Box::new(|calls| {
                for _ in 0..calls {
                    black_box(raw::getpid());
                }
            }))
        }
        Operation::SyscallClock => {
            let mut timespec = [0_i64; 2];
            let result = raw::clock_gettime_monotonic(&mut timespec);
            if result != 0 || timespec == [0, 0] {
                return Err(format!("the raw clock_gettime returned {result}"));
            }
            Ok(Box::new(move |calls| {
                for _ in 0..calls {
                    black_box(raw::clock_gettime_monotonic(black_box(&mut timespec)));
                }
            }))
        }
        other => Err(format!("{} is not a raw syscall", other.label())),
    }
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
fn raw_operation(_operation: Operation) -> Result<Box<dyn FnMut(u64)>, String> {
    Err("a raw `syscall` instruction needs x86-64 Linux; this is not".to_string())
}

/// The batch for one operation, or why it cannot run here.
fn batch_of(operation: Operation) -> Result<Box<dyn FnMut(u64)>, String> {
    match operation {
        Operation::FunctionCall => Ok(Box::new(batch_call)),
        Operation::VdsoClock => Ok(Box::new(batch_vdso)),
        Operation::SyscallGetpid | Operation::SyscallClock => raw_operation(operation),
        Operation::ReadDevZero => {
            let mut file = File::open("/dev/zero").map_err(|err| format!("cannot open /dev/zero: {err}"))?;
            let mut byte = [1_u8; 1];
            match file.read(&mut byte) {
                Ok(1) if byte == [0] => {}
                other => return Err(format!("reading 1 byte of /dev/zero gave {other:?}")),
            }
            Ok(Box::new(move |calls| {
                for _ in 0..calls {
                    let _ = black_box(file.read(black_box(&mut byte)));
                }
            }))
        }
    }
}

fn measure_all(plan: &Plan) -> Vec<(Operation, Outcome)> {
    warm_up(&mut batch_call, 1 << 10, plan.warmup_all);
    Operation::ALL
        .into_iter()
        .map(|operation| {
            let outcome = match batch_of(operation) {
                Ok(mut batch) => Outcome::Measured(measure(&mut *batch, plan)),
                Err(reason) => Outcome::Skipped(reason),
            };
            (operation, outcome)
        })
        .collect()
}

/// A CPU or kernel text the link can carry: no control characters, at most [`MAX_TEXT`] characters, never empty.
fn link_text(text: &str) -> String {
    let clean: String = text.chars().map(|ch| if ch.is_control() { ' ' } else { ch }).collect();
    let short: String = clean.trim().chars().take(MAX_TEXT).collect();
    let short = short.trim_end();
    if short.is_empty() {
        unknown()
    } else {
        short.to_string()
    }
}

/// The page's address with `s=read` and the measured medians, checked by the page's own parser.
fn link(base: &str, machine: &Machine, results: &[(Operation, Outcome)]) -> Result<String, String> {
    let ns = results
        .iter()
        .filter_map(|(operation, outcome)| match outcome {
            // A link carries figures from 0.1 ns: a median below that (none has been seen) is written as 0.1. One over
            // the link's ceiling (a millisecond) is refused by Measurement::parse, and the command says so.
            Outcome::Measured(stats) => Some(format!("{}:{:.1}", operation.id(), stats.median.max(0.1))),
            Outcome::Skipped(_) => None,
        })
        .collect::<Vec<_>>()
        .join(",");
    let measured = Measurement::parse(&link_text(&machine.cpu), &link_text(&machine.kernel), &ns)?;
    let mut pairs = vec![("s".to_string(), Preset::Read.id().to_string())];
    pairs.extend(measured.to_pairs());
    let query =
        pairs.iter().map(|(key, value)| format!("{key}={}", encode_component(value))).collect::<Vec<_>>().join("&");
    let separator = match base.find('?') {
        None => "?",
        Some(_) if base.ends_with(['?', '&']) => "",
        Some(_) => "&",
    };
    Ok(format!("{base}{separator}{query}"))
}

fn table(machine: &Machine, plan: &Plan, results: &[(Operation, Outcome)]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "cpu:         {}", machine.cpu);
    let _ = writeln!(out, "kernel:      {}", machine.kernel);
    let _ = writeln!(out, "clocksource: {}", machine.clocksource);
    match &machine.vulnerabilities {
        None => {
            let _ = writeln!(out, "vulnerabilities: unknown (no {VULNERABILITIES})");
        }
        Some(files) => {
            let _ = writeln!(out, "vulnerabilities:");
            for (name, content) in files {
                let _ = writeln!(out, "  {name}: {content}");
            }
        }
    }
    let _ = writeln!(out, "\nns per call ({} samples each; a sample times a batch of calls)", plan.samples);
    let _ = writeln!(out, "{:<26} {:>9} {:>9} {:>9} {:>12}", "operation", "min", "median", "p99", "calls/batch");
    for (operation, outcome) in results {
        match outcome {
            Outcome::Measured(stats) => {
                let _ = writeln!(
                    out,
                    "{:<26} {:>9.1} {:>9.1} {:>9.1} {:>12}",
                    operation.label(),
                    stats.min,
                    stats.median,
                    stats.p99,
                    stats.calls_per_sample
                );
            }
            Outcome::Skipped(reason) => {
                let _ = writeln!(out, "{:<26} skipped: {reason}", operation.label());
            }
        }
    }
    out
}

fn json(machine: &Machine, plan: &Plan, results: &[(Operation, Outcome)], link: Option<&str>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "{{\"cpu\": {}, \"kernel\": {}, \"clocksource\": {},\n \"vulnerabilities\": ",
        json_string(&machine.cpu),
        json_string(&machine.kernel),
        json_string(&machine.clocksource)
    );
    match &machine.vulnerabilities {
        None => out.push_str("null"),
        Some(files) => {
            let fields: Vec<String> = files
                .iter()
                .map(|(name, content)| format!("{}: {}", json_string(name), json_string(content)))
                .collect();
            let _ = write!(out, "{{{}}}", fields.join(",\n   "));
        }
    }
    let _ = write!(out, ",\n \"samples\": {},\n \"operations\": [", plan.samples);
    let measured: Vec<String> = results
        .iter()
        .filter_map(|(operation, outcome)| match outcome {
            Outcome::Measured(stats) => Some(format!(
                "{{\"id\": {}, \"label\": {}, \"calls_per_sample\": {}, \"min_ns\": {:.1}, \"median_ns\": {:.1}, \
                 \"p99_ns\": {:.1}}}",
                json_string(operation.id()),
                json_string(operation.label()),
                stats.calls_per_sample,
                stats.min,
                stats.median,
                stats.p99
            )),
            Outcome::Skipped(_) => None,
        })
        .collect();
    let _ = write!(out, "{}],\n \"skipped\": [", measured.join(",\n  "));
    let skipped: Vec<String> = results
        .iter()
        .filter_map(|(operation, outcome)| match outcome {
            Outcome::Skipped(reason) => Some(format!(
                "{{\"id\": {}, \"label\": {}, \"reason\": {}}}",
                json_string(operation.id()),
                json_string(operation.label()),
                json_string(reason)
            )),
            Outcome::Measured(_) => None,
        })
        .collect();
    out.push_str(&skipped.join(",\n  "));
    out.push(']');
    if let Some(url) = link {
        let _ = write!(out, ",\n \"link\": {}", json_string(url));
    }
    out.push_str("}\n");
    out
}

/// The two raw system calls. A `syscall` instruction has no safe spelling, so these two functions are the crate's
/// only `unsafe` code outside `tests/real_cpu.rs` (which writes its raw syscalls the same way).
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod raw {
    use std::arch::asm;

    /// getpid(2) as a bare `syscall` instruction (RAX = 39): the smallest round trip into the kernel.
    #[allow(unsafe_code)]
    #[inline]
    pub fn getpid() -> i64 {
        let pid: i64;
        // SAFETY: getpid takes no arguments and reads or writes no user memory. `syscall` changes only RAX (the
        // result), RCX (the return address) and R11 (the saved RFLAGS), all declared, and does not touch the stack.
        unsafe {
            asm!("syscall", inlateout("rax") 39_i64 => pid, lateout("rcx") _, lateout("r11") _, options(nostack));
        }
        pid
    }

    /// clock_gettime(CLOCK_MONOTONIC, timespec) as a bare `syscall` instruction (RAX = 228); 0 on success.
    #[allow(unsafe_code)]
    #[inline]
    pub fn clock_gettime_monotonic(timespec: &mut [i64; 2]) -> i64 {
        let result: i64;
        // SAFETY: RDI = 1 is CLOCK_MONOTONIC and RSI points to `timespec`, 16 writable bytes this function borrows
        // exclusively: a struct timespec on x86-64 (tv_sec, tv_nsec), the only memory the kernel writes (the asm is
        // not `nomem`, so the compiler assumes it may). `syscall` changes only RAX (the result), RCX and R11, all
        // declared, and does not touch the stack.
        unsafe {
            asm!(
                "syscall",
                inlateout("rax") 228_i64 => result,
                in("rdi") 1_i64,
                in("rsi") timespec.as_mut_ptr(),
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack),
            );
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_text_fits_what_a_link_may_carry() {
        let long = "Intel(R) Xeon(R) ".repeat(10);
        let short = link_text(&long);
        assert!(short.chars().count() <= MAX_TEXT && !short.ends_with(' '));
        assert!(long.starts_with(&short));
        assert_eq!(link_text(" a\tb\n"), "a b");
        assert_eq!(link_text("\n"), "unknown");
    }

    #[test]
    fn the_link_keeps_the_base_query() {
        let machine = Machine {
            cpu: "x".repeat(200),
            kernel: "6.12.0".to_string(),
            clocksource: unknown(),
            vulnerabilities: None,
        };
        let stats = Stats { calls_per_sample: 1, min: 0.01, median: 0.02, p99: 0.03 };
        let results = [(Operation::FunctionCall, Outcome::Measured(stats))];
        let url = link("http://host/?mode=present", &machine, &results).unwrap();
        assert!(url.starts_with("http://host/?mode=present&s=read&cpu=xxx"), "{url}");
        assert!(url.ends_with("&kernel=6.12.0&ns=call%3A0.1"), "{url}");
        assert!(link("http://host/", &machine, &results).unwrap().starts_with("http://host/?s=read&"));
    }
}
