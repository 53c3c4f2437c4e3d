//! The browser entry point: mounts the Yew app and nothing else (the logic lives in the library).

fn main() {
    #[cfg(target_arch = "wasm32")]
    syscall_explorer::start();
}
