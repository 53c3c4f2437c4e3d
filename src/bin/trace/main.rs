//! `trace`: prints a scenario's timeline as a table, or with `--json` as JSON (a contract, see README); `trace
//! measure` times real syscalls on this machine (`measure.rs`).
//!
//! `cargo run --bin trace -- --help` lists the scenarios and options.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(native::main(std::env::args().skip(1).collect()));
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod measure;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use syscall_explorer::model::input;
    use syscall_explorer::model::{trace, Preset, Scenario, Timeline};

    fn help() -> String {
        let mut text = String::from(
            "trace: print the model's timeline of one syscall scenario, or time real syscalls on this machine\n\n\
             usage: trace [SCENARIO] [--json] [--summary] [--set NAME=VALUE]...\n\n\
             options:\n  --json           print JSON: {\"scenario\", \"frames\": [{index, step, cpl, executed, regs}]}\n  \
             --summary        print only the kernel steps, the ring changes and the result\n  \
             --set NAME=VALUE override a scenario field: nr, arg0..arg5, fd, buf, count, probe_rcx, pid, file_text, path, buffer_text\n  \
             -h, --help       this text\n\n",
        );
        text.push_str(crate::measure::USAGE);
        text.push_str("\nscenarios:\n");
        for preset in Preset::ALL {
            text.push_str(&format!("  {:<20} {}\n", preset.id(), preset.title()));
        }
        text
    }

    pub fn main(args: Vec<String>) -> i32 {
        if args.first().is_some_and(|first| first == "measure") {
            return crate::measure::main(args.into_iter().skip(1).collect());
        }
        let mut preset = Preset::Read;
        let mut json_out = false;
        let mut summary = false;
        let mut sets = Vec::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "-h" | "--help" => {
                    print!("{}", help());
                    return 0;
                }
                "--json" => json_out = true,
                "--summary" => summary = true,
                "--set" => match args.next() {
                    Some(assignment) => sets.push(assignment),
                    None => {
                        eprintln!("trace: --set needs NAME=VALUE");
                        return 2;
                    }
                },
                other => match Preset::from_id(other) {
                    Some(found) => preset = found,
                    None => {
                        eprintln!("trace: unknown scenario or option {other:?}\n\n{}", help());
                        return 2;
                    }
                },
            }
        }
        let mut scenario = Scenario::preset(preset);
        for assignment in sets {
            let Some((name, value)) = assignment.split_once('=') else {
                eprintln!("trace: --set wants NAME=VALUE, got {assignment:?}");
                return 2;
            };
            if let Err(message) = input::set_field(&mut scenario, name, value) {
                eprintln!("trace: {name}: {message}");
                return 2;
            }
        }
        let timeline = Timeline::run(&scenario);
        if json_out {
            print!("{}", trace::json(&timeline));
        } else if summary {
            print!("{}", trace::summary(&timeline));
        } else {
            print!("{}", trace::table(&timeline));
        }
        0
    }
}
