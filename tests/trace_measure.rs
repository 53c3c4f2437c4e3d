//! `trace measure`, run as the built binary with `--quick`: its JSON has every operation with sane figures, the
//! machine's vulnerability files, and a `--link` the page's own parser reads back to the same medians.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::fs;
use std::process::{Command, Output};

use serde_json::Value;
use syscall_explorer::link;
use syscall_explorer::model::measured::{Operation, MAX_TEXT};

const RAW_SYSCALLS: bool = cfg!(all(target_arch = "x86_64", target_os = "linux"));

fn trace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trace")).args(args).output().expect("run trace")
}

fn stdout_of(args: &[&str]) -> String {
    let output = trace(args);
    assert!(output.status.success(), "trace {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Percent-decoding as the browser's URLSearchParams does it (`%XX` is a byte, `+` a space).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex =
        |at: usize| bytes.get(at..at + 2).and_then(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok());
    let mut out = Vec::new();
    let mut idx = 0;
    while idx < bytes.len() {
        match (bytes[idx], hex(idx + 1)) {
            (b'%', Some(byte)) => {
                out.push(byte);
                idx += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                idx += 1;
            }
            (byte, _) => {
                out.push(byte);
                idx += 1;
            }
        }
    }
    String::from_utf8(out).expect("the query decodes to UTF-8")
}

fn query_pairs(url: &str) -> Vec<(String, String)> {
    let (_, query) = url.split_once('?').expect("the link has a query");
    query
        .split('&')
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

/// The medians of the JSON's operations, by id.
fn medians(json: &Value) -> BTreeMap<String, f64> {
    json["operations"]
        .as_array()
        .expect("operations is an array")
        .iter()
        .map(|operation| (operation["id"].as_str().unwrap().to_string(), operation["median_ns"].as_f64().unwrap()))
        .collect()
}

#[test]
fn json_has_every_operation_the_machine_and_a_link_with_the_same_medians() {
    let text = stdout_of(&["measure", "--json", "--quick", "--link"]);
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{err}:\n{text}"));

    let operations = json["operations"].as_array().expect("operations is an array");
    let skipped = json["skipped"].as_array().expect("skipped is an array");
    for operation in operations {
        let figure = |name: &str| operation[name].as_f64().unwrap_or_else(|| panic!("{name} in {operation}"));
        let (min, median, p99) = (figure("min_ns"), figure("median_ns"), figure("p99_ns"));
        assert!(0.0 < min && min <= median && median <= p99, "{operation}");
        assert!(operation["calls_per_sample"].as_u64().unwrap() >= 1);
    }
    let medians = medians(&json);
    let skipped_ids: Vec<&str> = skipped.iter().map(|entry| entry["id"].as_str().unwrap()).collect();
    for operation in Operation::ALL {
        let raw = matches!(operation, Operation::SyscallGetpid | Operation::SyscallClock);
        if raw && !RAW_SYSCALLS {
            assert!(skipped_ids.contains(&operation.id()), "{} is skipped here", operation.id());
        } else {
            assert!(medians.contains_key(operation.id()), "{} is measured: {text}", operation.id());
        }
    }
    if RAW_SYSCALLS {
        assert!(skipped.is_empty(), "{skipped:?}");
        // A crossing into the kernel and back costs far more than a call: were the batches or the division wrong
        // (or the calls optimised away), this could fail.
        assert!(medians["call"] < medians["getpid"], "{medians:?}");
    }

    let on_disk = fs::read_dir("/sys/devices/system/cpu/vulnerabilities").ok().map(|entries| {
        entries
            .flatten()
            .map(|entry| {
                let content = fs::read_to_string(entry.path()).map_or("unknown".to_string(), |text| text.trim().into());
                (entry.file_name().to_string_lossy().into_owned(), content)
            })
            .collect::<BTreeMap<_, _>>()
    });
    match on_disk {
        None => assert!(json["vulnerabilities"].is_null()),
        Some(files) => {
            let reported: BTreeMap<String, String> = json["vulnerabilities"]
                .as_object()
                .expect("vulnerabilities is an object")
                .iter()
                .map(|(name, content)| (name.clone(), content.as_str().unwrap().to_string()))
                .collect();
            assert_eq!(reported, files);
        }
    }
    for key in ["cpu", "kernel", "clocksource"] {
        assert!(!json[key].as_str().unwrap().is_empty(), "{key}");
    }

    let url = json["link"].as_str().expect("--link adds the link");
    assert!(url.starts_with("http://127.0.0.1:8080/?s=read&"), "{url}");
    let pairs = query_pairs(url);
    assert_eq!(pairs[0], ("s".to_string(), "read".to_string()));
    let (state, notices) = link::parse(&pairs);
    assert!(notices.is_empty(), "{notices:?}");
    let measured = state.measured.expect("the link carries the figures");
    let cpu: String = json["cpu"].as_str().unwrap().chars().take(MAX_TEXT).collect();
    assert_eq!(measured.cpu, cpu.trim());
    assert_eq!(measured.kernel, json["kernel"].as_str().unwrap());
    for operation in Operation::ALL {
        let from_link = measured.median(operation).map(|ns| (ns * 10.0).round() as i64);
        let from_json = medians.get(operation.id()).map(|ns| (ns * 10.0).round() as i64);
        assert_eq!(from_link, from_json, "{}", operation.id());
    }
}

#[test]
fn the_table_names_the_machine_and_every_operation_and_ends_with_the_link() {
    let text = stdout_of(&["measure", "--quick", "--link", "https://example.edu/explorer/"]);
    for line in ["cpu: ", "kernel: ", "vulnerabilities", "median", "p99"] {
        assert!(text.contains(line), "{line:?} in:\n{text}");
    }
    for operation in Operation::ALL {
        assert!(text.lines().any(|line| line.starts_with(operation.label())), "{}:\n{text}", operation.label());
    }
    let url = text.lines().last().unwrap();
    assert!(url.starts_with("https://example.edu/explorer/?s=read&cpu="), "{url}");
    let (state, notices) = link::parse(&query_pairs(url));
    assert!(notices.is_empty() && state.measured.is_some(), "{notices:?}");
}

#[test]
fn a_bad_option_exits_2_with_a_message() {
    for args in [&["measure", "--fast"][..], &["measure", "--link", "example.edu"]] {
        let output = trace(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.starts_with("trace measure: ") && message.contains(args[args.len() - 1]), "{message}");
        assert!(output.stdout.is_empty());
    }
    let help = stdout_of(&["--help"]);
    assert!(help.contains("trace measure [--json] [--link [BASE]] [--quick]"), "{help}");
}
