//! The syscall tables: the generator of `src/model/syscall_table.rs`, and tests of the lookup and dispatch in
//! `src/model/syscalls.rs`.
//!
//! - [`parse_tbl`] reads Linux's `syscall_64.tbl` / `syscall_32.tbl` format and [`render`] turns both files into the
//!   generated Rust module. `generated_table_matches_reference` regenerates it from a Linux tree (`LINUX_SRC`) and compares
//!   it with the committed file; `UPDATE_GENERATED=1` writes it instead. Without the reference folder (a user's
//!   clone) the comparison is skipped with a message, and everything else still runs against the committed tables.
//! - The rest checks facts of Linux 6.12 (`arch/x86/entry/common.c`, `do_syscall_x64` and `do_syscall_32_irqs_on`), a table of dispatch
//!   cases written out as text, and properties: dispatch never panics and agrees with a plain reference
//!   implementation, and `array_index_nospec` only ever keeps an in-bounds index.
#![cfg(not(target_arch = "wasm32"))]

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use syscall_explorer::model::syscalls::{
    array_index_mask_nospec, array_index_nospec, by_name_i386, by_name_x64, by_nr_i386, by_nr_x64, dispatch_i386,
    dispatch_x64, Abi, Dispatch, DispatchOutcome, DispatchTable, SyscallEntry, ENOSYS, I386, IA32_NR_SYSCALLS,
    NR_SYSCALLS_64, X32_SYSCALL_BIT, X86_64,
};

// ---------------------------------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------------------------------

/// The kernel release the tables come from.
const LINUX_VERSION: &str = "6.12.117";
/// The sha256 of the reference files this generator was written against. A different file is a different kernel:
/// update [`LINUX_VERSION`], these hashes and the facts tests together.
const SHA256_64: &str = "980ce3115028c71c5618e7864d262017bde8103bcfe7b413147a14fd312c92ac";
const SHA256_32: &str = "48deaff56363a5889acd966b5a9df8cf084e8951c45fddd7a2f33f3b8bc4d81d";
/// Where the generated module lives, relative to the crate root.
const GENERATED_PATH: &str = "src/model/syscall_table.rs";
const REGENERATE_COMMAND: &str =
    "LINUX_SRC=/path/to/linux-6.12 UPDATE_GENERATED=1 cargo test --test syscall_tables generated_table_matches_reference";

/// One syscall line of a `.tbl` file, owned (the generator's view of [`SyscallEntry`]).
#[derive(Clone, Debug, PartialEq, Eq)]
struct TblLine {
    nr: u32,
    abi: Abi,
    name: String,
    entry_point: Option<String>,
    compat_entry_point: Option<String>,
    noreturn: bool,
}

/// Parses a syscall table: `<number> <abi> <name> [<entry point> [<compat entry point> [noreturn]]]`, fields separated
/// by any mix of tabs and spaces, `#` starting a comment, blank lines ignored. The columns are positional, as in the
/// kernel's `scripts/syscalltbl.sh` (`read nr abi name native compat noreturn`), and a compat column of `-` means none.
/// Anything else is a malformed file and panics with the file name and line number.
fn parse_tbl(text: &str, file_name: &str) -> Vec<TblLine> {
    let mut lines = Vec::new();
    for (line_idx, raw_line) in text.lines().enumerate() {
        let line_no = line_idx + 1;
        let content = raw_line.split('#').next().unwrap_or("");
        let fields: Vec<&str> = content.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let fail = |why: &str| -> ! { panic!("{file_name}:{line_no}: {why}: {raw_line:?}") };
        if !(3..=6).contains(&fields.len()) {
            fail("expected 3 to 6 fields");
        }
        let nr = fields[0].parse::<u32>().unwrap_or_else(|_| fail("the number is not a u32"));
        let abi = match fields[1] {
            "common" => Abi::Common,
            "64" => Abi::X64,
            "x32" => Abi::X32,
            "i386" => Abi::I386,
            _ => fail("unknown ABI"),
        };
        let entry_point = fields.get(3).map(|field| field.to_string());
        let compat_entry_point = match fields.get(4) {
            None | Some(&"-") => None,
            Some(&"noreturn") => fail("`noreturn` belongs in the sixth column, after a compat entry point or `-`"),
            Some(field) => Some(field.to_string()),
        };
        let noreturn = match fields.get(5) {
            None => false,
            Some(&"noreturn") => true,
            Some(_) => fail("the sixth column may only say `noreturn`"),
        };
        lines.push(TblLine { nr, abi, name: fields[2].to_string(), entry_point, compat_entry_point, noreturn });
    }
    lines
}

fn abi_letter(abi: Abi) -> &'static str {
    match abi {
        Abi::Common => "c",
        Abi::X64 => "6",
        Abi::X32 => "x",
        Abi::I386 => "i",
    }
}

/// An entry point column of the packed table: `=` when it is `<prefix><name>`, `-` for none, else the function.
fn packed_entry(entry: &Option<String>, prefix: &str, name: &str) -> String {
    match entry {
        Some(entry) if entry.strip_prefix(prefix) == Some(name) => "=".to_string(),
        Some(entry) => entry.clone(),
        None => "-".to_string(),
    }
}

/// One line of the packed table (the format is described in the generated file's header), given the number of the
/// line before it.
fn packed_line(line: &TblLine, previous_nr: Option<u32>) -> String {
    let nr = if previous_nr.map_or(0, |nr| nr + 1) == line.nr { String::new() } else { line.nr.to_string() };
    let mut fields = vec![format!("{}{nr}", abi_letter(line.abi)), line.name.clone()];
    fields.push(packed_entry(&line.entry_point, "sys_", &line.name));
    fields.push(packed_entry(&line.compat_entry_point, "compat_sys_", &line.name));
    if line.noreturn {
        fields.push("!".to_string());
    } else if fields[3] == "-" {
        fields.pop();
    }
    fields.join(" ")
}

fn render_static(out: &mut String, name: &str, doc: &str, lines: &[TblLine]) {
    writeln!(out, "/// {doc}").unwrap();
    writeln!(out, "pub const {name}: &str = \"\\").unwrap();
    let mut previous_nr = None;
    for line in lines {
        writeln!(out, "{}\\n\\", packed_line(line, previous_nr)).unwrap();
        previous_nr = Some(line.nr);
    }
    out.push_str("\";\n");
}

/// Renders `src/model/syscall_table.rs` from the bytes of `syscall_64.tbl` and `syscall_32.tbl`. The output depends
/// only on those bytes.
fn render(tbl_64: &[u8], tbl_32: &[u8]) -> String {
    let text_64 = std::str::from_utf8(tbl_64).expect("syscall_64.tbl is UTF-8");
    let text_32 = std::str::from_utf8(tbl_32).expect("syscall_32.tbl is UTF-8");
    let lines_64 = parse_tbl(text_64, "syscall_64.tbl");
    let lines_32 = parse_tbl(text_32, "syscall_32.tbl");
    let mut out = String::new();
    writeln!(
        out,
        "//! GENERATED FILE, do not edit: the x86 syscall tables of Linux {LINUX_VERSION} as Rust data.\n\
         //!\n\
         //! Every syscall line of each file, in file order, from:\n\
         //! - `arch/x86/entry/syscalls/syscall_64.tbl`, sha256 {}\n\
         //! - `arch/x86/entry/syscalls/syscall_32.tbl`, sha256 {}\n\
         //!\n\
         //! The generator is `tests/syscall_tables.rs`; the types and the lookups are in `syscalls.rs`. To regenerate\n\
         //! from a Linux source tree (`LINUX_SRC`, which holds `arch/x86/entry/syscalls/`):\n\
         //!\n\
         //! ```text\n\
         //! {REGENERATE_COMMAND}\n\
         //! ```\n\
         //!\n\
         //! Without `UPDATE_GENERATED` that test compares this file with the tree's tables instead.\n\
         //!\n\
         //! Each table is text, one line per .tbl line, `abi nr name entry compat noreturn`, packed: `abi` is `c`\n\
         //! (common), `6` (64), `x` (x32) or `i` (i386), followed without a space by `nr`, which is left out when it is\n\
         //! the previous line's plus one (0 for the first); in `entry`, `=` stands for `sys_<name>`, in `compat` for\n\
         //! `compat_sys_<name>`, and `-` for none; `noreturn` is `!`; a trailing `compat` of `-` is left out.\n\
         //! `syscalls.rs` parses it once, on first use: as text the tables are less than half the size in the\n\
         //! WebAssembly of the same data as Rust structs.\n\
         \n\
         /// `NR_syscalls` for x86-64: the highest `common` or `64` number plus one.\n\
         pub const NR_SYSCALLS_64: u32 = {};\n\n\
         /// `IA32_NR_syscalls`: the highest `i386` number plus one.\n\
         pub const IA32_NR_SYSCALLS: u32 = {};\n",
        sha256_hex(tbl_64),
        sha256_hex(tbl_32),
        lines_64.iter().filter(|line| line.abi.is_x64()).map(|line| line.nr + 1).max().unwrap_or(0),
        lines_32.iter().map(|line| line.nr + 1).max().unwrap_or(0),
    )
    .unwrap();
    render_static(
        &mut out,
        "X86_64_TBL",
        &format!("`syscall_64.tbl`: {} lines (`common`, `64` and `x32`), in file order.", lines_64.len()),
        &lines_64,
    );
    out.push('\n');
    render_static(
        &mut out,
        "I386_TBL",
        &format!("`syscall_32.tbl`: {} lines (`i386`), in file order.", lines_32.len()),
        &lines_32,
    );
    out
}

/// SHA-256 (FIPS 180-4), so the header can name its inputs without a dependency.
fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut state: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut message = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut schedule = [0u32; 64];
        for (word_idx, word) in block.chunks_exact(4).enumerate() {
            schedule[word_idx] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for round in 16..64 {
            let s0 = schedule[round - 15].rotate_right(7)
                ^ schedule[round - 15].rotate_right(18)
                ^ (schedule[round - 15] >> 3);
            let s1 = schedule[round - 2].rotate_right(17)
                ^ schedule[round - 2].rotate_right(19)
                ^ (schedule[round - 2] >> 10);
            schedule[round] = schedule[round - 16].wrapping_add(s0).wrapping_add(schedule[round - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = state;
        for round in 0..64 {
            let big_s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let choose = (e & f) ^ (!e & g);
            let temp1 =
                h.wrapping_add(big_s1).wrapping_add(choose).wrapping_add(K[round]).wrapping_add(schedule[round]);
            let big_s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let majority = (a & b) ^ (a & c) ^ (b & c);
            let temp2 = big_s0.wrapping_add(majority);
            h = g;
            g = f;
            f = e;
            e = d.wrapping_add(temp1);
            d = c;
            c = b;
            b = a;
            a = temp1.wrapping_add(temp2);
        }
        for (slot, value) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *slot = slot.wrapping_add(value);
        }
    }
    state.iter().map(|word| format!("{word:08x}")).collect()
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The folder of the `.tbl` files in the Linux source tree named by `LINUX_SRC`, if that variable is set.
fn reference_dir() -> Option<PathBuf> {
    env::var_os("LINUX_SRC").map(|tree| PathBuf::from(tree).join("arch/x86/entry/syscalls"))
}

/// The two tables' bytes from the Linux tree in `LINUX_SRC`, or `None` (with a message) when no tree is given: the
/// committed tables are then checked against the facts below only.
fn reference_tables() -> Option<(Vec<u8>, Vec<u8>)> {
    let Some(dir) = reference_dir() else {
        println!(
            "skipped: set LINUX_SRC to a Linux {LINUX_VERSION} source tree to compare the generated tables with it"
        );
        return None;
    };
    let path_64 = dir.join("syscall_64.tbl");
    assert!(path_64.exists(), "LINUX_SRC is set but {} does not exist", path_64.display());
    let tbl_64 = fs::read(&path_64).expect("read syscall_64.tbl");
    let tbl_32 = fs::read(dir.join("syscall_32.tbl")).expect("read syscall_32.tbl");
    Some((tbl_64, tbl_32))
}

#[test]
fn generated_table_matches_reference() {
    let Some((tbl_64, tbl_32)) = reference_tables() else {
        return;
    };
    assert_eq!(
        sha256_hex(&tbl_64),
        SHA256_64,
        "syscall_64.tbl is not the Linux {LINUX_VERSION} file: update LINUX_VERSION, the hashes and the facts together"
    );
    assert_eq!(
        sha256_hex(&tbl_32),
        SHA256_32,
        "syscall_32.tbl is not the Linux {LINUX_VERSION} file: update LINUX_VERSION, the hashes and the facts together"
    );
    let expected = render(&tbl_64, &tbl_32);
    let generated_path = manifest_dir().join(GENERATED_PATH);
    if env::var_os("UPDATE_GENERATED").is_some_and(|value| value == "1") {
        fs::write(&generated_path, &expected).expect("write the generated table");
        println!("wrote {}", generated_path.display());
        return;
    }
    let committed = fs::read_to_string(&generated_path).unwrap_or_default();
    if committed != expected {
        let first_difference = committed
            .lines()
            .zip(expected.lines())
            .position(|(committed_line, expected_line)| committed_line != expected_line)
            .map_or_else(
                || "the files differ in length".to_string(),
                |line_idx| format!("first difference at line {}", line_idx + 1),
            );
        panic!("{GENERATED_PATH} is out of date ({first_difference}); regenerate it with:\n    {REGENERATE_COMMAND}");
    }
}

fn to_tbl_line(entry: &SyscallEntry) -> TblLine {
    TblLine {
        nr: entry.nr,
        abi: entry.abi,
        name: entry.name.to_string(),
        entry_point: entry.entry_point.map(str::to_string),
        compat_entry_point: entry.compat_entry_point.map(str::to_string),
        noreturn: entry.noreturn,
    }
}

/// The compiled tables hold exactly what the parser reads from the files (a check on the renderer, which the text
/// comparison above cannot catch on its own).
#[test]
fn compiled_tables_equal_parsed_reference() {
    let Some((tbl_64, tbl_32)) = reference_tables() else {
        return;
    };
    let parsed_64 = parse_tbl(std::str::from_utf8(&tbl_64).unwrap(), "syscall_64.tbl");
    let parsed_32 = parse_tbl(std::str::from_utf8(&tbl_32).unwrap(), "syscall_32.tbl");
    assert_eq!(X86_64.iter().map(to_tbl_line).collect::<Vec<_>>(), parsed_64);
    assert_eq!(I386.iter().map(to_tbl_line).collect::<Vec<_>>(), parsed_32);
}

#[test]
fn sha256_matches_known_vectors() {
    assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // Two blocks: the padding spills over.
    assert_eq!(
        sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
}

#[test]
fn parser_handles_the_format() {
    let text = "# comment\n\
                \n\
                0\tcommon\tread\t\t\tsys_read\n\
                5 i386 open sys_open compat_sys_open # trailing comment\n\
                60\tcommon\texit\t\t\tsys_exit\t\t\t-\t\t\tnoreturn\n\
                212\tcommon\tlookup_dcookie\n\
                462 \tcommon  mseal\t\t\tsys_mseal\n";
    let lines = parse_tbl(text, "test.tbl");
    let rendered: Vec<String> = lines.iter().map(|line| format!("{line:?}")).collect();
    assert_eq!(
        rendered,
        [
            r#"TblLine { nr: 0, abi: Common, name: "read", entry_point: Some("sys_read"), compat_entry_point: None, noreturn: false }"#,
            r#"TblLine { nr: 5, abi: I386, name: "open", entry_point: Some("sys_open"), compat_entry_point: Some("compat_sys_open"), noreturn: false }"#,
            r#"TblLine { nr: 60, abi: Common, name: "exit", entry_point: Some("sys_exit"), compat_entry_point: None, noreturn: true }"#,
            r#"TblLine { nr: 212, abi: Common, name: "lookup_dcookie", entry_point: None, compat_entry_point: None, noreturn: false }"#,
            r#"TblLine { nr: 462, abi: Common, name: "mseal", entry_point: Some("sys_mseal"), compat_entry_point: None, noreturn: false }"#,
        ]
    );
}

#[test]
#[should_panic(expected = "bad.tbl:1: unknown ABI")]
fn parser_rejects_an_unknown_abi() {
    parse_tbl("0 common64 read sys_read\n", "bad.tbl");
}

#[test]
#[should_panic(expected = "bad.tbl:2: the sixth column may only say `noreturn`")]
fn parser_rejects_a_bad_sixth_column() {
    parse_tbl("# x\n60 common exit sys_exit - yes\n", "bad.tbl");
}

// ---------------------------------------------------------------------------------------------------------------------
// Facts of Linux 6.12's tables and dispatch
// ---------------------------------------------------------------------------------------------------------------------

#[test]
fn tables_hold_every_line() {
    assert_eq!(X86_64.len(), 411, "syscall_64.tbl has 328 common, 47 64 and 36 x32 lines");
    assert_eq!(I386.len(), 452);
    let count = |abi: Abi| X86_64.iter().filter(|entry| entry.abi == abi).count();
    assert_eq!((count(Abi::Common), count(Abi::X64), count(Abi::X32)), (328, 47, 36));
    assert!(I386.iter().all(|entry| entry.abi == Abi::I386));
}

#[test]
fn numbers_increase_within_each_dispatch_table() {
    // syscalltbl.sh refuses unsorted or duplicate numbers; dispatch relies on one line per number.
    for (table, keep) in [
        (&*X86_64, Abi::is_x64 as fn(Abi) -> bool),
        (&*X86_64, |abi| abi == Abi::X32),
        (&*I386, |abi| abi == Abi::I386),
    ] {
        let numbers: Vec<u32> = table.iter().filter(|entry| keep(entry.abi)).map(|entry| entry.nr).collect();
        assert!(numbers.windows(2).all(|pair| pair[0] < pair[1]), "{numbers:?}");
    }
}

#[test]
fn x86_64_numbers() {
    for (name, nr) in [
        ("read", 0),
        ("write", 1),
        ("close", 3),
        ("getpid", 39),
        ("exit", 60),
        ("clock_gettime", 228),
        ("exit_group", 231),
        ("openat", 257),
        ("uretprobe", 335),
        ("mseal", 462),
    ] {
        let entry = by_name_x64(name).unwrap_or_else(|| panic!("{name} is in the table"));
        assert_eq!(entry.nr, nr, "{name}");
        assert_eq!(by_nr_x64(nr), Some(entry));
        assert_eq!(entry.entry_point, Some(format!("sys_{name}").as_str()), "{name}");
        assert_eq!(entry.noreturn, name == "exit" || name == "exit_group", "{name}");
    }
    assert_eq!(by_nr_x64(462).map(|entry| entry.name), Some("mseal"));
    assert_eq!(NR_SYSCALLS_64, 463);
    let max_nr = X86_64.iter().filter(|entry| entry.abi.is_x64()).map(|entry| entry.nr).max();
    assert_eq!(max_nr.map(|nr| nr + 1), Some(NR_SYSCALLS_64));
}

#[test]
fn i386_numbers() {
    for (name, nr) in [("exit", 1), ("read", 3), ("getpid", 20), ("exit_group", 252), ("mseal", 462)] {
        let entry = by_name_i386(name).unwrap_or_else(|| panic!("{name} is in the table"));
        assert_eq!(entry.nr, nr, "{name}");
        assert_eq!(by_nr_i386(nr), Some(entry));
        assert_eq!(entry.noreturn, name == "exit" || name == "exit_group", "{name}");
    }
    let max_nr = I386.iter().map(|entry| entry.nr).max();
    assert_eq!(max_nr.map(|nr| nr + 1), Some(IA32_NR_SYSCALLS));
    assert_eq!(IA32_NR_SYSCALLS, 463);
}

#[test]
fn x32_lines_are_not_x64_lookups() {
    // 512 is x32 rt_sigaction; 64-bit rt_sigaction is 13.
    let x32 = X86_64.iter().find(|entry| entry.nr == 512).unwrap();
    assert_eq!((x32.abi, x32.name), (Abi::X32, "rt_sigaction"));
    assert_eq!(by_nr_x64(512), None);
    assert_eq!(by_name_x64("rt_sigaction").map(|entry| entry.nr), Some(13));
    assert_eq!(X32_SYSCALL_BIT, 0x4000_0000);
}

#[test]
fn lookup_dcookie_has_no_entry_point_and_takes_ni() {
    let entry = by_nr_x64(212).unwrap();
    assert_eq!((entry.name, entry.entry_point), ("lookup_dcookie", None));
    let dispatch = dispatch_x64(212);
    assert!(dispatch.in_range);
    assert_eq!(dispatch.entry, Some(entry));
    assert_eq!(dispatch.outcome, DispatchOutcome::NotImplemented);
    assert_eq!(dispatch.handler_symbol().as_deref(), Some("__x64_sys_ni_syscall"));
    assert_eq!(dispatch.result_without_handler(), Some(-ENOSYS));
}

#[test]
fn the_reserved_gap_is_not_implemented() {
    // 387–423 is the reserved gap entry.md names; in 6.12 nothing uses 336–386 either (335 uretprobe, then 424).
    for nr in 336..=423 {
        assert_eq!(by_nr_x64(nr), None, "{nr}");
        let dispatch = dispatch_x64(u64::from(nr));
        assert!(dispatch.in_range, "{nr}");
        assert_eq!(dispatch.outcome, DispatchOutcome::NotImplemented, "{nr}");
        assert_eq!(dispatch.result_without_handler(), Some(-38), "{nr}");
    }
}

#[test]
fn measured_enosys_numbers() {
    // entry.md: nr 400, 470, 512, 548 and 1000 return -ENOSYS (measured; 470+ on the traced 6.18 kernel too).
    for rax in [400u64, 470, 512, 548, 1000] {
        let dispatch = dispatch_x64(rax);
        assert_eq!(dispatch.result_without_handler(), Some(-ENOSYS), "{rax}");
        assert_eq!(dispatch.in_range, rax == 400, "{rax}");
    }
}

#[test]
fn only_eax_counts() {
    let read = dispatch_x64(0x1_0000_0000);
    assert_eq!((read.nr, read.unr, read.outcome), (0, 0, DispatchOutcome::Handler));
    assert_eq!(read.handler_symbol().as_deref(), Some("__x64_sys_read"));
    let getpid = dispatch_x64(0xDEAD_BEEF_0000_0027);
    assert_eq!(getpid.entry.map(|entry| entry.name), Some("getpid"));
}

#[test]
fn negative_eax_is_out_of_range() {
    let minus_two = dispatch_x64(0xFFFF_FFFE);
    assert_eq!((minus_two.nr, minus_two.unr), (-2, 0xFFFF_FFFE));
    assert!(!minus_two.in_range);
    assert_eq!(minus_two.outcome, DispatchOutcome::OutOfRange);
    assert_eq!(minus_two.handler_symbol().as_deref(), Some("__x64_sys_ni_syscall"));
    // -1 is the skip: nothing is called, RAX keeps the -ENOSYS pushed at entry. Same visible result.
    let minus_one = dispatch_x64(0xFFFF_FFFF);
    assert_eq!((minus_one.nr, minus_one.outcome), (-1, DispatchOutcome::Skipped));
    assert_eq!(minus_one.handler_symbol(), None);
    assert_eq!(minus_one.result_without_handler(), Some(-ENOSYS));
    assert_eq!(dispatch_x64(u64::MAX).outcome, DispatchOutcome::Skipped);
}

#[test]
fn x32_numbers_are_rejected_with_x32_off() {
    for rax in
        [u64::from(X32_SYSCALL_BIT), u64::from(X32_SYSCALL_BIT | 512), u64::from(X32_SYSCALL_BIT | 547), 512, 547]
    {
        let dispatch = dispatch_x64(rax);
        assert_eq!(dispatch.outcome, DispatchOutcome::OutOfRange, "{rax:#x}");
        assert_eq!(dispatch.entry, None, "{rax:#x}");
    }
}

#[test]
fn noreturn_calls() {
    assert!(dispatch_x64(60).is_noreturn());
    assert!(dispatch_x64(231).is_noreturn());
    assert!(!dispatch_x64(0).is_noreturn());
    assert!(dispatch_i386(1).is_noreturn());
    assert!(dispatch_i386(252).is_noreturn());
}

// ---------------------------------------------------------------------------------------------------------------------
// Dispatch cases as text
// ---------------------------------------------------------------------------------------------------------------------

/// One line per dispatch: `nr unr in|out mask=… index=… line=<nr abi name>|- -> <stub>|skip <outcome>`.
fn describe(dispatch: &Dispatch) -> String {
    let line =
        dispatch.entry.map_or_else(|| "-".to_string(), |entry| format!("{} {} {}", entry.nr, entry.abi, entry.name));
    format!(
        "{} {:#x} {} mask={:#x} index={} line={} -> {} {:?}",
        dispatch.nr,
        dispatch.unr,
        if dispatch.in_range { "in" } else { "out" },
        dispatch.nospec_mask,
        dispatch.index,
        line,
        dispatch.handler_symbol().unwrap_or_else(|| "skip".to_string()),
        dispatch.outcome
    )
}

#[test]
fn x64_dispatch_cases() {
    let cases: &[(u64, &str)] = &[
        (0, "0 0x0 in mask=0xffffffffffffffff index=0 line=0 common read -> __x64_sys_read Handler"),
        (1, "1 0x1 in mask=0xffffffffffffffff index=1 line=1 common write -> __x64_sys_write Handler"),
        (3, "3 0x3 in mask=0xffffffffffffffff index=3 line=3 common close -> __x64_sys_close Handler"),
        (39, "39 0x27 in mask=0xffffffffffffffff index=39 line=39 common getpid -> __x64_sys_getpid Handler"),
        (60, "60 0x3c in mask=0xffffffffffffffff index=60 line=60 common exit -> __x64_sys_exit Handler"),
        (134, "134 0x86 in mask=0xffffffffffffffff index=134 line=134 64 uselib -> __x64_sys_ni_syscall NotImplemented"),
        (156, "156 0x9c in mask=0xffffffffffffffff index=156 line=156 64 _sysctl -> __x64_sys_ni_syscall NotImplemented"),
        (212, "212 0xd4 in mask=0xffffffffffffffff index=212 line=212 common lookup_dcookie -> __x64_sys_ni_syscall NotImplemented"),
        (228, "228 0xe4 in mask=0xffffffffffffffff index=228 line=228 common clock_gettime -> __x64_sys_clock_gettime Handler"),
        (231, "231 0xe7 in mask=0xffffffffffffffff index=231 line=231 common exit_group -> __x64_sys_exit_group Handler"),
        (257, "257 0x101 in mask=0xffffffffffffffff index=257 line=257 common openat -> __x64_sys_openat Handler"),
        (334, "334 0x14e in mask=0xffffffffffffffff index=334 line=334 common rseq -> __x64_sys_rseq Handler"),
        (335, "335 0x14f in mask=0xffffffffffffffff index=335 line=335 common uretprobe -> __x64_sys_uretprobe Handler"),
        (336, "336 0x150 in mask=0xffffffffffffffff index=336 line=- -> __x64_sys_ni_syscall NotImplemented"),
        (386, "386 0x182 in mask=0xffffffffffffffff index=386 line=- -> __x64_sys_ni_syscall NotImplemented"),
        (387, "387 0x183 in mask=0xffffffffffffffff index=387 line=- -> __x64_sys_ni_syscall NotImplemented"),
        (400, "400 0x190 in mask=0xffffffffffffffff index=400 line=- -> __x64_sys_ni_syscall NotImplemented"),
        (423, "423 0x1a7 in mask=0xffffffffffffffff index=423 line=- -> __x64_sys_ni_syscall NotImplemented"),
        (424, "424 0x1a8 in mask=0xffffffffffffffff index=424 line=424 common pidfd_send_signal -> __x64_sys_pidfd_send_signal Handler"),
        (462, "462 0x1ce in mask=0xffffffffffffffff index=462 line=462 common mseal -> __x64_sys_mseal Handler"),
        (463, "463 0x1cf out mask=0x0 index=0 line=- -> __x64_sys_ni_syscall OutOfRange"),
        (470, "470 0x1d6 out mask=0x0 index=0 line=- -> __x64_sys_ni_syscall OutOfRange"),
        (512, "512 0x200 out mask=0x0 index=0 line=- -> __x64_sys_ni_syscall OutOfRange"),
        (548, "548 0x224 out mask=0x0 index=0 line=- -> __x64_sys_ni_syscall OutOfRange"),
        (1000, "1000 0x3e8 out mask=0x0 index=0 line=- -> __x64_sys_ni_syscall OutOfRange"),
        (0x4000_0000, "1073741824 0x40000000 out mask=0x0 index=0 line=- -> __x64_sys_ni_syscall OutOfRange"),
        (0x7FFF_FFFF, "2147483647 0x7fffffff out mask=0x0 index=0 line=- -> __x64_sys_ni_syscall OutOfRange"),
        (0x8000_0000, "-2147483648 0x80000000 out mask=0x0 index=0 line=- -> __x64_sys_ni_syscall OutOfRange"),
        (0xFFFF_FFFE, "-2 0xfffffffe out mask=0x0 index=0 line=- -> __x64_sys_ni_syscall OutOfRange"),
        (0xFFFF_FFFF, "-1 0xffffffff out mask=0x0 index=0 line=- -> skip Skipped"),
        (0x1_0000_0000, "0 0x0 in mask=0xffffffffffffffff index=0 line=0 common read -> __x64_sys_read Handler"),
        (0xFFFF_FFFF_0000_0001, "1 0x1 in mask=0xffffffffffffffff index=1 line=1 common write -> __x64_sys_write Handler"),
        (u64::MAX, "-1 0xffffffff out mask=0x0 index=0 line=- -> skip Skipped"),
    ];
    let mismatches: Vec<String> = cases
        .iter()
        .filter_map(|&(rax, expected)| {
            let actual = describe(&dispatch_x64(rax));
            (actual != expected).then(|| format!("rax={rax:#x}\n  expected: {expected}\n  actual:   {actual}"))
        })
        .collect();
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

#[test]
fn i386_dispatch_cases() {
    let cases: &[(u32, &str)] = &[
        (0, "0 0x0 in mask=0xffffffffffffffff index=0 line=0 i386 restart_syscall -> __ia32_sys_restart_syscall Handler"),
        (1, "1 0x1 in mask=0xffffffffffffffff index=1 line=1 i386 exit -> __ia32_sys_exit Handler"),
        (3, "3 0x3 in mask=0xffffffffffffffff index=3 line=3 i386 read -> __ia32_sys_read Handler"),
        (4, "4 0x4 in mask=0xffffffffffffffff index=4 line=4 i386 write -> __ia32_sys_write Handler"),
        (5, "5 0x5 in mask=0xffffffffffffffff index=5 line=5 i386 open -> __ia32_compat_sys_open Handler"),
        (11, "11 0xb in mask=0xffffffffffffffff index=11 line=11 i386 execve -> __ia32_compat_sys_execve Handler"),
        (17, "17 0x11 in mask=0xffffffffffffffff index=17 line=17 i386 break -> __ia32_sys_ni_syscall NotImplemented"),
        (20, "20 0x14 in mask=0xffffffffffffffff index=20 line=20 i386 getpid -> __ia32_sys_getpid Handler"),
        (113, "113 0x71 in mask=0xffffffffffffffff index=113 line=113 i386 vm86old -> __ia32_sys_ni_syscall NotImplemented"),
        (134, "134 0x86 in mask=0xffffffffffffffff index=134 line=134 i386 bdflush -> __ia32_sys_ni_syscall NotImplemented"),
        (252, "252 0xfc in mask=0xffffffffffffffff index=252 line=252 i386 exit_group -> __ia32_sys_exit_group Handler"),
        (462, "462 0x1ce in mask=0xffffffffffffffff index=462 line=462 i386 mseal -> __ia32_sys_mseal Handler"),
        (463, "463 0x1cf out mask=0x0 index=0 line=- -> __ia32_sys_ni_syscall OutOfRange"),
        (1000, "1000 0x3e8 out mask=0x0 index=0 line=- -> __ia32_sys_ni_syscall OutOfRange"),
        (0xFFFF_FFFE, "-2 0xfffffffe out mask=0x0 index=0 line=- -> __ia32_sys_ni_syscall OutOfRange"),
        (0xFFFF_FFFF, "-1 0xffffffff out mask=0x0 index=0 line=- -> skip Skipped"),
    ];
    let mismatches: Vec<String> = cases
        .iter()
        .filter_map(|&(eax, expected)| {
            let actual = describe(&dispatch_i386(eax));
            (actual != expected).then(|| format!("eax={eax:#x}\n  expected: {expected}\n  actual:   {actual}"))
        })
        .collect();
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

// ---------------------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------------------

/// What a dispatch should come to, worked out the plain way: a linear scan of the lines, the 6.12 bound written out,
/// and no masks. `(in range, table line, stub called or None when skipped)`.
fn reference_dispatch(
    table: &'static [SyscallEntry],
    abis: &[Abi],
    prefix: &str,
    nr_syscalls: i64,
    low_32_bits: u32,
) -> (bool, Option<&'static SyscallEntry>, Option<String>) {
    let nr = i64::from(low_32_bits as i32);
    if !(0..nr_syscalls).contains(&nr) {
        let stub = (nr != -1).then(|| format!("{prefix}sys_ni_syscall"));
        return (false, None, stub);
    }
    let line = table.iter().find(|entry| abis.contains(&entry.abi) && i64::from(entry.nr) == nr);
    let function = match line {
        Some(SyscallEntry { compat_entry_point: Some(compat), .. }) if prefix == "__ia32_" => compat,
        Some(SyscallEntry { entry_point: Some(native), .. }) => native,
        _ => &"sys_ni_syscall",
    };
    (true, line, Some(format!("{prefix}{function}")))
}

fn check_against_reference(dispatch: &Dispatch) {
    let expected = match dispatch.table {
        DispatchTable::X64 => {
            reference_dispatch(&X86_64, &[Abi::Common, Abi::X64], "__x64_", 463, dispatch.register as u32)
        }
        DispatchTable::Ia32 => reference_dispatch(&I386, &[Abi::I386], "__ia32_", 463, dispatch.register as u32),
    };
    let (in_range, line, stub) = expected;
    assert_eq!(dispatch.in_range, in_range);
    assert_eq!(dispatch.entry, line);
    assert_eq!(dispatch.handler_symbol(), stub);
    assert_eq!(dispatch.index, if in_range { u64::from(dispatch.unr) } else { 0 });
    assert_eq!(dispatch.nospec_mask, if in_range { u64::MAX } else { 0 });
    let handler_runs = line.is_some() && stub.as_deref().is_some_and(|stub| !stub.ends_with("sys_ni_syscall"));
    assert_eq!(dispatch.outcome == DispatchOutcome::Handler, handler_runs);
    assert_eq!(dispatch.result_without_handler(), (!handler_runs).then_some(-38));
}

/// Register values worth hitting often: small numbers, the edges of the ranges, negative EAX, and junk above bit 31.
fn interesting_rax() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        (0u64..1100),
        (0u64..1100, any::<u32>()).prop_map(|(low, high)| (u64::from(high) << 32) | low),
        (0u32..16, any::<u32>()).prop_map(|(below, high)| (u64::from(high) << 32) | u64::from(u32::MAX - below)),
        (0u64..600).prop_map(|low| low | u64::from(X32_SYSCALL_BIT)),
    ]
}

proptest! {
    #[test]
    fn x64_dispatch_agrees_with_reference(rax in interesting_rax()) {
        let dispatch = dispatch_x64(rax);
        prop_assert_eq!(dispatch.register, rax);
        prop_assert_eq!(dispatch.nr, rax as u32 as i32);
        prop_assert_eq!(dispatch, dispatch_x64(rax & 0xFFFF_FFFF).with_register(rax));
        check_against_reference(&dispatch);
    }

    #[test]
    fn i386_dispatch_agrees_with_reference(rax in interesting_rax()) {
        let dispatch = dispatch_i386(rax as u32);
        prop_assert_eq!(dispatch.nr, rax as u32 as i32);
        check_against_reference(&dispatch);
    }

    #[test]
    fn nospec_keeps_only_in_bounds_indices(index in any::<u64>(), size in any::<u64>()) {
        let mask = array_index_mask_nospec(index, size);
        prop_assert!(mask == 0 || mask == u64::MAX);
        prop_assert_eq!(mask == u64::MAX, index < size);
        let clamped = array_index_nospec(index, size);
        prop_assert_eq!(clamped, if index < size { index } else { 0 });
        prop_assert!(size == 0 || clamped < size);
    }

    #[test]
    fn nospec_near_the_bound(index in 0u64..1000) {
        let size = u64::from(NR_SYSCALLS_64);
        prop_assert_eq!(array_index_nospec(index, size), if index < 463 { index } else { 0 });
    }
}

/// A [`Dispatch`] with another register value, so two dispatches can be compared on everything but the upper bits.
trait WithRegister {
    fn with_register(self, register: u64) -> Self;
}

impl WithRegister for Dispatch {
    fn with_register(mut self, register: u64) -> Self {
        self.register = register;
        self
    }
}

#[test]
fn every_number_near_the_tables_dispatches_as_the_reference_says() {
    for nr in 0..=1100u32 {
        check_against_reference(&dispatch_x64(u64::from(nr)));
        check_against_reference(&dispatch_i386(nr));
    }
}
