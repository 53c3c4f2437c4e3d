//! Browser tests: run in headless Chromium by wasm-bindgen-test-runner (`cargo test --target wasm32-unknown-unknown`).
//! Each mounts a component, acts on it as a person would, lets Yew's scheduler render, and reads the DOM.
#![cfg(target_arch = "wasm32")]

use syscall_explorer::model::{Preset, Scenario};
use syscall_explorer::state::{Action, State};
use syscall_explorer::ui;
use syscall_explorer::ui::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn fresh_root() -> web_sys::Element {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    root
}

/// Waits for the next animation frame, then lets Yew render what it scheduled.
async fn next_frame() {
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().request_animation_frame(&resolve).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(frame).await.unwrap();
    yew::scheduler::flush().await;
}

/// Lets Yew render, then waits out the page's staged first render (the panels arrive one per animation frame after
/// the first pass, see `ui::explorer::Explorer`): until no panel area is marked busy, at most a few frames more than there
/// are batches (a state change in between delays the next batch by one frame).
async fn settle() {
    yew::scheduler::flush().await;
    for _ in 0..3 * ui::explorer::PANEL_BATCHES {
        if document().query_selector("main.stage[aria-busy]").unwrap().is_none() {
            break;
        }
        next_frame().await;
    }
    assert!(document().query_selector("main.stage[aria-busy]").unwrap().is_none(), "the panels never arrived");
}

fn panels(root: &web_sys::Element) -> u32 {
    root.query_selector_all(".focus-view .view > section").unwrap().length()
}

fn text(root: &web_sys::Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
        .text_content()
        .unwrap_or_default()
}

fn click(root: &web_sys::Element, selector: &str) {
    let element: web_sys::HtmlElement = root.query_selector(selector).unwrap().unwrap().dyn_into().unwrap();
    element.click();
}

fn press(key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    document().body().unwrap().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn the_app_mounts_with_the_seven_steps_and_the_first_frame() {
    let root = fresh_root();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    assert_eq!(text(&root, "h1"), "Syscall Explorer");
    assert_eq!(root.query_selector_all("[data-testid=lesson-steps] li").unwrap().length(), 7);
    assert!(text(&root, "[data-testid=frame-counter]").starts_with("Frame 1 of "));
    assert_eq!(text(&root, "[data-testid=cpl-badge]"), "CPL 3");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn panels_arrive_one_per_frame_and_a_click_gets_a_frame_of_its_own() {
    let root = fresh_root();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    // The first render: controls, no panels yet; then one panel per frame.
    assert_eq!(panels(&root), 0);
    assert!(root.query_selector("[data-testid=step-forward]").unwrap().is_some());
    next_frame().await;
    assert_eq!(panels(&root), 1);
    next_frame().await;
    assert_eq!(panels(&root), 2);
    // A click: its frame shows the new frame and no new panel; the next panel comes one frame later.
    click(&root, "[data-testid=step-forward]");
    yew::scheduler::flush().await;
    // Key moments: the three argument loads are one stop.
    assert!(text(&root, "[data-testid=frame-counter]").starts_with("Frame 4 of "));
    next_frame().await;
    assert_eq!(panels(&root), 2, "a panel was rendered in the click's frame");
    next_frame().await;
    assert_eq!(panels(&root), 3);
    // A click in the frame that was let go by for the previous one: again a frame of its own, and the panels
    // still all arrive.
    click(&root, "[data-testid=step-forward]");
    yew::scheduler::flush().await;
    next_frame().await;
    click(&root, "[data-testid=step-back]");
    yew::scheduler::flush().await;
    next_frame().await;
    assert_eq!(panels(&root), 3, "a panel was rendered in a click's frame");
    settle().await;
    // One batch per view: every panel has arrived but the cost view's, which is built only while it is shown.
    assert_eq!(panels(&root), u32::from(ui::explorer::PANEL_BATCHES) - 1);
    assert_eq!(root.query_selector("#view-cost").unwrap().unwrap().child_element_count(), 0);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn next_and_keys_move_through_the_frames_and_mark_what_changed() {
    let root = fresh_root();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    click(&root, "[data-testid=step-forward]");
    settle().await;
    // Key moments: Next goes past the three argument loads; the last loads count into RDX: RDX is marked changed,
    // on the stage and in the register file (which the stage shows: the frame is about registers), RAX is not.
    assert!(text(&root, "[data-testid=frame-counter]").starts_with("Frame 4 of "));
    assert!(text(&root, "[data-testid=focus-view] [role=tab][aria-selected=true]").starts_with("Registers"));
    assert!(text(&root, "[data-testid=change-rdx] [data-testid=new]").contains("0x40"));
    let rdx = root.query_selector("[data-testid=reg-rdx]").unwrap().unwrap();
    assert_eq!(rdx.get_attribute("data-changed").as_deref(), Some("true"));
    assert!(rdx.text_content().unwrap().contains("0x0000000000000040"));
    let rax = root.query_selector("[data-testid=reg-rax]").unwrap().unwrap();
    assert_eq!(rax.get_attribute("data-changed").as_deref(), Some("false"));
    press("ArrowLeft");
    settle().await;
    assert!(text(&root, "[data-testid=frame-counter]").starts_with("Frame 1 of "));
    press("End");
    settle().await;
    assert!(text(&root, "[data-testid=ending]").contains("returned 59"));
    press("PageUp");
    press("Home");
    settle().await;
    assert!(text(&root, "[data-testid=frame-counter]").starts_with("Frame 1 of "));
    handle.destroy();
}

#[derive(Properties, PartialEq)]
struct AtFrameProps {
    preset: Preset,
    frame: usize,
    /// Run the kernel with the mitigations (PTI, verw).
    mitigations: bool,
}

/// The explorer for a preset at one frame, without the App's effects.
#[function_component(AtFrame)]
fn at_frame(props: &AtFrameProps) -> Html {
    let mut state = State::new(&Scenario { mitigations: props.mitigations, ..Scenario::preset(props.preset) });
    state.cursor = props.frame.min(state.last());
    html! { <ui::explorer::Explorer state={state} on_action={Callback::from(|_: Action| ())} /> }
}

fn frame_where(preset: Preset, key: &str) -> usize {
    let timeline = syscall_explorer::model::Timeline::run(&Scenario::preset(preset));
    timeline.frames.iter().position(|frame| frame.narration_key == key).unwrap_or_else(|| panic!("no {key}"))
}

/// The first frame of a mitigated `read` with this narration key.
fn mitigated_frame_where(key: &str) -> usize {
    let timeline =
        syscall_explorer::model::Timeline::run(&Scenario { mitigations: true, ..Scenario::preset(Preset::Read) });
    timeline.frames.iter().position(|frame| frame.narration_key == key).unwrap_or_else(|| panic!("no {key}"))
}

#[wasm_bindgen_test]
async fn with_pti_rsp_is_named_for_what_it_holds_and_the_entry_stack_is_in_memory() {
    // `mov rsp, cr3`: RSP is the CR3 switch's scratch register, no stack pointer.
    let root = fresh_root();
    let frame = mitigated_frame_where("insn.cr3_read");
    let props = AtFrameProps { preset: Preset::Read, frame, mitigations: true };
    let handle = yew::Renderer::<AtFrame>::with_root_and_props(root.clone(), props).render();
    settle().await;
    assert!(text(&root, "[data-testid=reg-rsp]").contains("scratch: no stack here"));
    assert!(root.query_selector("[data-testid=entry-stack]").unwrap().is_none(), "the entry stack is not in use");
    handle.destroy();
    // The exit's copies to the entry stack: RSP points there, and memory shows what was copied, marked.
    let root = fresh_root();
    let frame = mitigated_frame_where("insn.copy_to_entry_stack") + 1;
    let props = AtFrameProps { preset: Preset::Read, frame, mitigations: true };
    let handle = yew::Renderer::<AtFrame>::with_root_and_props(root.clone(), props).render();
    settle().await;
    assert!(text(&root, "[data-testid=reg-rsp]").contains("entry stack pointer (PTI)"));
    let entry_stack = text(&root, "[data-testid=entry-stack]");
    assert!(entry_stack.contains("← RSP") && entry_stack.contains('▲'), "{entry_stack}");
    assert_eq!(root.query_selector_all("[data-testid=entry-stack] tbody tr").unwrap().length(), 2);
    handle.destroy();
}

#[wasm_bindgen_test]
async fn after_syscall_exactly_the_registers_syscall_writes_are_marked() {
    let root = fresh_root();
    let frame = frame_where(Preset::Read, "insn.syscall");
    let handle = yew::Renderer::<AtFrame>::with_root_and_props(
        root.clone(),
        AtFrameProps { preset: Preset::Read, frame, mitigations: false },
    )
    .render();
    settle().await;
    let changed: Vec<String> = (0..root.query_selector_all("tr[data-changed=true]").unwrap().length())
        .filter_map(|idx| root.query_selector_all("tr[data-changed=true]").unwrap().item(idx))
        .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
        .filter_map(|element| element.get_attribute("data-testid"))
        .collect();
    assert_eq!(changed, ["reg-rcx", "reg-r11", "reg-rip", "reg-rflags", "reg-cs", "reg-ss"]);
    assert_eq!(text(&root, "[data-testid=cpl-badge]"), "CPL 0");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn the_table_lookup_marks_the_entry_or_shows_the_failed_bounds_check() {
    let root = fresh_root();
    let frame = frame_where(Preset::Read, "kernel.dispatch");
    let handle = yew::Renderer::<AtFrame>::with_root_and_props(
        root.clone(),
        AtFrameProps { preset: Preset::Read, frame, mitigations: false },
    )
    .render();
    settle().await;
    let selected = text(&root, "[data-testid=selected-entry]");
    assert!(selected.starts_with('0') && selected.contains("read"), "{selected}");
    assert!(text(&root, "[data-testid=bounds-check]").contains("0 < 463 passes"));
    // Only the rows around the lookup are built until the reader asks for the whole table.
    let rows = || root.query_selector_all(".systable tbody tr").unwrap().length() as usize;
    assert_eq!(rows(), ui::syscall_table::WINDOW_ROWS);
    assert!(text(&root, "[data-testid=table-window]").contains("numbers 0 to 10"));
    click(&root, "[data-testid=table-all]");
    settle().await;
    assert_eq!(rows(), ui::syscall_table::entries(false).count());
    assert!(text(&root, "[data-testid=syscall-table] .hint").contains(&format!("{} of them", rows())));
    assert!(text(&root, "[data-testid=selected-entry]").contains("read"));
    handle.destroy();

    let root = fresh_root();
    let frame = frame_where(Preset::UnknownNumber, "kernel.enosys");
    let handle = yew::Renderer::<AtFrame>::with_root_and_props(
        root.clone(),
        AtFrameProps { preset: Preset::UnknownNumber, frame, mitigations: false },
    )
    .render();
    settle().await;
    assert!(root.query_selector("[data-testid=selected-entry]").unwrap().is_none());
    assert!(text(&root, "[data-testid=bounds-check]").contains("1000 < 463 fails"));
    // Past the end: the window shows the table's last rows, where 1000 would have been.
    assert!(
        text(&root, "[data-testid=table-window]").contains("to 462"),
        "{}",
        text(&root, "[data-testid=table-window]")
    );
    handle.destroy();
}

#[wasm_bindgen_test]
async fn a_bad_number_in_the_editor_shows_a_message_and_keeps_the_scenario() {
    let root = fresh_root();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    let input: web_sys::HtmlInputElement =
        root.query_selector("[data-testid=field-arg2]").unwrap().unwrap().dyn_into().unwrap();
    input.set_value("lots");
    let init = web_sys::InputEventInit::new();
    init.set_bubbles(true);
    input.dispatch_event(&web_sys::InputEvent::new_with_event_init_dict("input", &init).unwrap()).unwrap();
    settle().await;
    assert!(text(&root, "[data-testid=field-arg2-error]").contains("not a number"));
    click(&root, "[data-testid=end]");
    settle().await;
    assert!(text(&root, "[data-testid=ending]").contains("returned 59"), "the last good scenario still runs");
    input.set_value("5");
    input.dispatch_event(&web_sys::InputEvent::new_with_event_init_dict("input", &init).unwrap()).unwrap();
    settle().await;
    assert!(root.query_selector("[data-testid=field-arg2-error]").unwrap().is_none());
    click(&root, "[data-testid=end]");
    settle().await;
    assert!(text(&root, "[data-testid=ending]").contains("returned 5"));
    handle.destroy();
}

/// The test page's address without a query: the App restores its state from the link, and keeps the link in step.
fn clear_query() {
    let window = web_sys::window().unwrap();
    let path = window.location().pathname().unwrap();
    window.history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path)).unwrap();
}

/// Fires a bubbling `change` on an element, as a pick in a select does (Yew listens at the app's root).
fn change(element: &web_sys::Element) {
    let init = web_sys::InputEventInit::new();
    init.set_bubbles(true);
    element.dispatch_event(&web_sys::InputEvent::new_with_event_init_dict("change", &init).unwrap()).unwrap();
}

/// The cost view's words for a run's counts: "84: 10 user mode, 41 way in, 13 kernel C steps, 20 way out".
fn cost_words(scenario: &Scenario) -> String {
    use syscall_explorer::model::cost::Phase;
    let costs = syscall_explorer::model::Timeline::run(scenario).costs();
    let parts: Vec<String> = Phase::ALL
        .iter()
        .filter(|phase| costs.phase(**phase) > 0)
        .map(|phase| format!("{} {}", costs.phase(*phase), phase.label()))
        .collect();
    format!("{}: {}", costs.total(), parts.join(", "))
}

fn frames_of(scenario: &Scenario) -> usize {
    syscall_explorer::model::Timeline::run(scenario).frames.len()
}

#[wasm_bindgen_test]
async fn the_last_frame_opens_the_cost_view_which_is_built_only_while_shown() {
    clear_query();
    let root = fresh_root();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    press("End");
    settle().await;
    assert!(text(&root, "[data-testid=ending]").contains("returned 59"));
    // Not built until asked for: it runs two more timelines.
    assert_eq!(root.query_selector("#view-cost").unwrap().unwrap().child_element_count(), 0);
    click(&root, "[data-testid=show-cost]");
    settle().await;
    assert!(text(&root, "[data-testid=focus-view] [role=tab][aria-selected=true]").starts_with("Cost"));
    let read = Scenario::preset(Preset::Read);
    assert_eq!(text(&root, "[data-testid=cost-this] .cost-words"), cost_words(&read));
    let mitigated = Scenario { mitigations: true, ..read };
    assert_eq!(text(&root, "[data-testid=cost-other] .cost-words"), cost_words(&mitigated));
    assert!(root.query_selector("[data-testid=cost-measure-hint]").unwrap().is_some());
    // Another view's tab hides it, and it is not kept.
    click(&root, "[data-testid=view-tab-wall]");
    settle().await;
    assert_eq!(root.query_selector("#view-cost").unwrap().unwrap().child_element_count(), 0);
    handle.destroy();
    clear_query();
}

#[wasm_bindgen_test]
async fn the_mitigations_checkbox_runs_the_pti_kernel_and_stays_when_another_scenario_is_picked() {
    clear_query();
    let root = fresh_root();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    let checkbox: web_sys::HtmlInputElement =
        root.query_selector("[data-testid=mitigations]").unwrap().unwrap().dyn_into().unwrap();
    assert!(!checkbox.checked());
    assert!(text(&root, "[data-testid=reg-cr3]").contains("page tables (one set: no PTI)"));
    checkbox.click();
    settle().await;
    assert!(checkbox.checked());
    let read = Scenario { mitigations: true, ..Scenario::preset(Preset::Read) };
    let counter = text(&root, "[data-testid=frame-counter]");
    assert!(counter.starts_with(&format!("Frame 1 of {}", frames_of(&read))), "{counter}");
    // In user mode with PTI, CR3 holds the user's page tables.
    assert!(text(&root, "[data-testid=reg-cr3]").contains("user page tables"));
    assert!(text(&root, "[data-testid=wall-tables]").contains("the user page tables"));

    let picker: web_sys::HtmlSelectElement =
        root.query_selector("[data-testid=scenario-picker]").unwrap().unwrap().dyn_into().unwrap();
    picker.set_value("getpid");
    change(&picker);
    settle().await;
    assert!(checkbox.checked(), "the checkbox stays on across scenarios");
    let getpid = Scenario::preset(Preset::Getpid);
    let counter = text(&root, "[data-testid=frame-counter]");
    let mitigated = Scenario { mitigations: true, ..getpid.clone() };
    assert!(counter.starts_with(&format!("Frame 1 of {}", frames_of(&mitigated))), "{counter}");
    checkbox.click();
    settle().await;
    assert!(!checkbox.checked());
    let counter = text(&root, "[data-testid=frame-counter]");
    assert!(counter.starts_with(&format!("Frame 1 of {}", frames_of(&getpid))), "{counter}");
    handle.destroy();
    clear_query();
}

/// ARCHITECTURE.md's UI invariant: panels stay mounted once they have arrived, whichever view is shown (with
/// `PANEL_BATCHES` one short of the views, showing the cost view left the Memory panel out).
#[wasm_bindgen_test]
async fn showing_the_cost_view_keeps_every_other_panel_mounted() {
    clear_query();
    let root = fresh_root();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    press("End");
    settle().await;
    click(&root, "[data-testid=show-cost]");
    settle().await;
    for view in ["wall", "registers", "code", "syscall-table", "kernel-work", "memory", "cost"] {
        let panel = root.query_selector(&format!("#view-{view}")).unwrap().unwrap();
        assert_eq!(panel.child_element_count(), 1, "#view-{view} has its panel");
    }
    handle.destroy();
    clear_query();
}
