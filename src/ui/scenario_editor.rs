//! The scenario picker and the argument editor. Every field is checked with `model::input` as it is typed; a bad
//! value shows a message next to its field and leaves the running scenario as it was.

use std::rc::Rc;

use yew::prelude::*;

use crate::model::input::{is_address, set_field, show_number, ARG_FIELDS};
use crate::model::{Preset, Program, Scenario};
use crate::state::{TimelineRef, Trigger};

#[derive(Properties, PartialEq)]
pub struct ScenarioEditorProps {
    /// The running timeline (its scenario is what the fields show).
    pub timeline: TimelineRef,
    /// The fields start again from the scenario when this changes (a preset was chosen).
    pub reset: Trigger,
    /// The scenario differs from its preset: the picker says so.
    pub edited: bool,
    pub on_preset: Callback<Preset>,
    /// A scenario in which every field parsed.
    pub on_scenario: Callback<Rc<Scenario>>,
}

/// The editable fields for a program: (field name for `set_field`, label, current text, multi-line).
pub fn fields(scenario: &Scenario) -> Vec<(&'static str, String, String, bool)> {
    let mut out = Vec::new();
    let program = scenario.program;
    if program == Program::Raw {
        out.push(("nr", "syscall number (rax)".to_string(), show_number(scenario.nr, false), false));
    }
    for (idx, name) in program.arg_names().iter().enumerate() {
        let field: &'static str = ARG_FIELDS[idx];
        out.push((field, (*name).to_string(), show_number(scenario.args[idx], is_address(name)), false));
    }
    if program == Program::Raw {
        out.push((
            "probe_rcx",
            "value put in rcx before syscall".to_string(),
            format!("{:#x}", scenario.probe_rcx),
            false,
        ));
    }
    match program {
        Program::Read | Program::Int80Read => {
            out.push(("file_text", "contents of notes.txt (fd 3)".to_string(), scenario.file_text.clone(), true));
        }
        Program::Write => {
            out.push(("buffer_text", "bytes in the buffer".to_string(), scenario.buffer_text.clone(), true))
        }
        Program::Openat => out.push(("path", "path".to_string(), scenario.path.clone(), false)),
        Program::Getpid => out.push(("pid", "the process's pid".to_string(), scenario.pid.to_string(), false)),
        _ => {}
    }
    out
}

/// Picker and editor.
#[function_component(ScenarioEditor)]
pub fn scenario_editor(props: &ScenarioEditorProps) -> Html {
    let scenario = &props.timeline.scenario;
    let on_pick = {
        let on_preset = props.on_preset.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            if let Some(preset) = Preset::from_id(&select.value()) {
                on_preset.emit(preset);
            }
            // Chosen with the pointer: give the arrow keys back to the frames (a focused select would switch scenario
            // on the next arrow). Chosen with the keyboard (the focus ring shows), the select keeps the focus, so the
            // arrows and typing go on choosing.
            if !select.matches(":focus-visible").unwrap_or(true) {
                let _ = select.blur();
            }
        })
    };
    let on_mitigations = {
        let on_scenario = props.on_scenario.clone();
        let scenario = scenario.clone();
        Callback::from(move |_: Event| {
            on_scenario.emit(Rc::new(Scenario { mitigations: !scenario.mitigations, ..scenario.clone() }))
        })
    };
    html! {
            <div class="scenario">
                <label class="picker">
    <span class="picker-label">{ "Scenario" }</span>
                    <select data-testid="scenario-picker" aria-label="Scenario" onchange={on_pick}>
                        { for Preset::ALL.iter().map(|preset| html! {
                            <option value={preset.id()} selected={*preset == scenario.preset}>{ preset.title() }</option>
                        }) }
                    </select>
                    if props.edited { <span class="edited" data-testid="edited">{ "edited" }</span> }
                </label>
                <details class="editor" data-testid="editor">
                    <summary>{ "Arguments" }<span class="signature">{ format!(": {}", scenario.program.signature()) }</span>
                        if scenario.mitigations { <span class="mitigations-on" data-testid="mitigations-on">{ " · mitigations on" }</span> }
                    </summary>
                    <label class="mitigations">
                        <input type="checkbox" data-testid="mitigations" checked={scenario.mitigations} onchange={on_mitigations} />
                        { "Kernel with the Meltdown and MDS mitigations (page-table isolation, verw)" }
                    </label>
                    <Fields key={format!("{}-{}", scenario.preset.id(), props.reset.count())}
                        scenario={Rc::new(scenario.clone())} on_scenario={props.on_scenario.clone()} />
                </details>
            </div>
        }
}

#[derive(Properties, PartialEq)]
struct FieldsProps {
    scenario: Rc<Scenario>,
    on_scenario: Callback<Rc<Scenario>>,
}

#[function_component(Fields)]
fn fields_view(props: &FieldsProps) -> Html {
    // The text of each field as typed, and its error, kept here so a bad value stays visible while the page keeps
    // showing the last good scenario.
    let initial = fields(&props.scenario);
    let texts = use_state(|| initial.iter().map(|(name, _, text, _)| (*name, text.clone())).collect::<Vec<_>>());
    let errors = use_state(Vec::<(&'static str, String)>::new);
    let base = use_state(|| (*props.scenario).clone());
    let on_edit = |name: &'static str| {
        let texts = texts.clone();
        let errors = errors.clone();
        let base = base.clone();
        let on_scenario = props.on_scenario.clone();
        // The checkbox above these fields, not the fields, sets the mitigations: keep what it says now.
        let mitigations = props.scenario.mitigations;
        Callback::from(move |value: String| {
            let mut new_texts = (*texts).clone();
            if let Some(slot) = new_texts.iter_mut().find(|(field, _)| *field == name) {
                slot.1 = value;
            }
            // Apply every field to the preset's scenario; report each one that does not parse.
            let mut scenario = Scenario { mitigations, ..(*base).clone() };
            let mut new_errors = Vec::new();
            for (field, text) in &new_texts {
                if let Err(message) = set_field(&mut scenario, field, text) {
                    new_errors.push((*field, message));
                }
            }
            if new_errors.is_empty() {
                on_scenario.emit(Rc::new(scenario));
            }
            texts.set(new_texts);
            errors.set(new_errors);
        })
    };
    html! {
        <form class="fields" onsubmit={Callback::from(|event: SubmitEvent| event.prevent_default())}>
            { for initial.iter().map(|(name, label, _, multiline)| {
                let text = texts.iter().find(|(field, _)| field == name).map(|(_, text)| text.clone()).unwrap_or_default();
                let error = errors.iter().find(|(field, _)| field == name).map(|(_, message)| message.clone());
                let id = format!("field-{name}");
                let error_id = format!("{id}-error");
                let on_change = on_edit(name);
                html! {
                    <div class={classes!("field", error.is_some().then_some("invalid"))}>
                        <label for={id.clone()}>{ label.clone() }</label>
                        if *multiline {
                            <textarea id={id.clone()} data-testid={id.clone()} value={text} rows="3"
                                aria-invalid={error.is_some().to_string()} aria-describedby={error.is_some().then(|| error_id.clone())}
                                oninput={Callback::from(move |event: InputEvent| {
                                    let input: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
                                    on_change.emit(input.value());
                                })} />
                        } else {
                            <input id={id.clone()} data-testid={id.clone()} type="text" value={text} spellcheck="false" autocomplete="off"
                                aria-invalid={error.is_some().to_string()} aria-describedby={error.is_some().then(|| error_id.clone())}
                                oninput={Callback::from(move |event: InputEvent| {
                                    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                                    on_change.emit(input.value());
                                })} />
                        }
                        if let Some(message) = error {
                            <p class="error" id={error_id} data-testid={format!("{id}-error")} role="alert">{ message }</p>
                        }
                    </div>
                }
            }) }
        </form>
    }
}
