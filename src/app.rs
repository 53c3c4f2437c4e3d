//! The app: the one reducer, and the URL and timer effects.

use yew::prelude::*;

use crate::model::SeedStep;

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <main class="page" data-testid="app">
            <h1>{ "Syscall Explorer" }</h1>
            <p>{ "What happens, register by register, when a program calls read(): the trap from ring 3 into the kernel and the return." }</p>
            <ol data-testid="seed-steps">
                { for SeedStep::ALL.iter().map(|step| html! { <li><strong>{ step.title() }</strong>{ ": " }{ step.summary() }</li> }) }
            </ol>
        </main>
    }
}
