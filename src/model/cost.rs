//! What a crossing costs, counted from the run itself: [`Costs::of`] counts a run's instructions and C steps by
//! [`Phase`], and the instructions of the kinds that cost far more than an ordinary one ([`Expensive`]). Counts are
//! not time: the cost view puts them beside published measurements ([`CITED`]) and the reader's own
//! (`trace measure`, [`super::measured`]).

use super::frame::{Executed, Frame};
use super::isa::Insn;

/// Where a frame of a run belongs. Declared in [`Phase::ALL`] order: a phase indexes [`Costs::by_phase`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Ring 3: the caller, the C library, the trap instruction itself, the vDSO.
    User,
    /// Ring 0 before the kernel's C code: the entry code.
    WayIn,
    /// The kernel's C code, as named steps.
    KernelC,
    /// Ring 0 after the C code: the exit code, up to `sysretq` or `iretq`.
    WayOut,
}

impl Phase {
    /// Every phase, in the order a run goes through them.
    pub const ALL: [Phase; 4] = [Phase::User, Phase::WayIn, Phase::KernelC, Phase::WayOut];

    /// A stable id (CSS classes, test ids).
    pub fn id(self) -> &'static str {
        match self {
            Phase::User => "user",
            Phase::WayIn => "in",
            Phase::KernelC => "c",
            Phase::WayOut => "out",
        }
    }

    /// What the legend says.
    pub fn label(self) -> &'static str {
        match self {
            Phase::User => "user mode",
            Phase::WayIn => "way in",
            Phase::KernelC => "kernel C steps",
            Phase::WayOut => "way out",
        }
    }
}

/// Instructions that cost far more than an ordinary one. Declared in [`Expensive::ALL`] order: a kind indexes
/// [`Costs::expensive`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expensive {
    /// `syscall`, `sysretq`, `int 0x80`, `iretq`: the privilege level changes.
    ModeSwitch,
    /// `mov cr3`: a page-table switch, and without PCID a flush of the TLB.
    Cr3Write,
    /// `verw` with the MDS microcode: the CPU's internal buffers are overwritten.
    Verw,
    /// Serialising instructions (SDM Vol. 3A §9.3): `mov` to CR3 and `iretq` wait for everything before them.
    Serialising,
}

impl Expensive {
    /// Every kind, in the order the view lists them.
    pub const ALL: [Expensive; 4] =
        [Expensive::ModeSwitch, Expensive::Cr3Write, Expensive::Verw, Expensive::Serialising];

    /// What the view calls it.
    pub fn label(self) -> &'static str {
        match self {
            Expensive::ModeSwitch => "mode switches",
            Expensive::Cr3Write => "CR3 writes (TLB flush without PCID)",
            Expensive::Verw => "verw (buffer clearing)",
            Expensive::Serialising => "serialising",
        }
    }

    /// Whether an instruction is of this kind.
    pub fn matches(self, insn: &Insn) -> bool {
        match self {
            Expensive::ModeSwitch => matches!(insn, Insn::Syscall | Insn::Sysretq | Insn::Int { .. } | Insn::Iretq),
            Expensive::Cr3Write => matches!(insn, Insn::MovToCr3 { .. }),
            Expensive::Verw => matches!(insn, Insn::Verw { .. }),
            Expensive::Serialising => matches!(insn, Insn::MovToCr3 { .. } | Insn::Iretq),
        }
    }
}

/// The counts of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Costs {
    /// Instructions and C steps per phase, in [`Phase::ALL`] order.
    pub by_phase: [usize; 4],
    /// How many instructions of each kind in [`Expensive::ALL`] order.
    pub expensive: [usize; 4],
}

/// The phase of one frame, given the privilege level before it and whether the C code has run yet.
fn phase_of(frame: &Frame, was_kernel: bool, after_c: bool) -> Option<Phase> {
    match frame.executed {
        Executed::Start | Executed::Fault { .. } => None,
        Executed::CCode { .. } if was_kernel => Some(Phase::KernelC),
        Executed::CCode { .. } => Some(Phase::User),
        Executed::Insn(_) if !was_kernel => Some(Phase::User),
        Executed::Insn(_) if after_c => Some(Phase::WayOut),
        Executed::Insn(_) => Some(Phase::WayIn),
    }
}

impl Costs {
    /// Counts a run's frames (`Timeline::costs`).
    ///
    /// ```
    /// use syscall_explorer::model::cost::{Costs, Expensive, Phase};
    /// use syscall_explorer::model::{Preset, Scenario, Timeline};
    /// let costs = Costs::of(&Timeline::run(&Scenario::preset(Preset::Getpid)).frames);
    /// assert_eq!(costs.count(Expensive::ModeSwitch), 2); // syscall and sysretq
    /// assert!(costs.phase(Phase::WayIn) > 20);
    /// ```
    pub fn of(frames: &[Frame]) -> Costs {
        let mut costs = Costs::default();
        let mut after_c = false;
        for pair in frames.windows(2) {
            let (before, frame) = (&pair[0], &pair[1]);
            let was_kernel = before.cpl().number() == 0;
            if !was_kernel {
                after_c = false;
            }
            let Some(phase) = phase_of(frame, was_kernel, after_c) else { continue };
            costs.by_phase[phase as usize] += 1;
            after_c |= phase == Phase::KernelC;
            if let Executed::Insn(image_insn) = frame.executed {
                for (slot, kind) in costs.expensive.iter_mut().zip(Expensive::ALL) {
                    *slot += usize::from(kind.matches(&image_insn.insn));
                }
            }
        }
        costs
    }

    /// Instructions and C steps in one phase.
    pub fn phase(&self, phase: Phase) -> usize {
        self.by_phase[phase as usize]
    }

    /// Instructions of one expensive kind.
    pub fn count(&self, kind: Expensive) -> usize {
        self.expensive[kind as usize]
    }

    /// Everything that ran.
    pub fn total(&self) -> usize {
        self.by_phase.iter().sum()
    }

    /// Whether the run entered the kernel.
    pub fn crossed(&self) -> bool {
        self.count(Expensive::ModeSwitch) > 0
    }

    /// One sentence for the end of a run: what this crossing cost, in the model's counts.
    pub fn summary(&self) -> String {
        if !self.crossed() {
            return format!(
                "Cost: {} instructions and steps, all in user mode, and no crossing at all.",
                self.phase(Phase::User)
            );
        }
        let mut extra = String::new();
        let (cr3, verw) = (self.count(Expensive::Cr3Write), self.count(Expensive::Verw));
        if cr3 > 0 {
            extra = format!(", {cr3} CR3 writes and {verw} verw");
        }
        format!(
            "Cost: {} instructions on the way in, {} kernel C steps, {} on the way out, {} mode switches{extra}. A plain \
             function call is a call and a ret. The Cost tab draws it, with measured times.",
            self.phase(Phase::WayIn),
            self.phase(Phase::KernelC),
            self.phase(Phase::WayOut),
            self.count(Expensive::ModeSwitch),
        )
    }
}

/// A published measurement, with its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cited {
    /// What was measured, and the figure.
    pub figure: &'static str,
    /// On what: the CPU and kernel, as the source gives them.
    pub on: &'static str,
    /// Who published it, and when.
    pub source: &'static str,
    pub url: &'static str,
}

/// Published figures the cost view shows, each as its source states it (quoted where the source has a sentence).
pub const CITED: [Cited; 3] = [
    Cited {
        figure:
            "syscall overhead with KPTI and retpolines: about 237 ns, 228 ns after the entry trampoline was removed",
        on: "Intel Skylake (no model or kernel version given)",
        source: "Phoronix, 8 Sep 2018, on Andy Lutomirski's x86/pti patch",
        url: "https://www.phoronix.com/news/Drop-SYSCALL64-Tramp-KPTI",
    },
    Cited {
        figure: "\"Moves to CR3 are on the order of a hundred cycles, and are required at every entry and exit\"; \
                 without PCID \"each CR3 write flushes the entire TLB\"",
        on: "no CPU named",
        source: "Linux documentation, x86 pti.rst, §Overhead",
        url: "https://docs.kernel.org/arch/x86/pti.html",
    },
    Cited {
        figure: "\"At 50k syscalls/sec per CPU the overhead may be 2%, and climbs as the syscall rate increases\"",
        on: "Linux 4.14.11 and 4.14.12, Netflix's cloud",
        source: "Brendan Gregg, KPTI/KAISER Meltdown Initial Performance Regressions, 9 Feb 2018",
        url: "https://www.brendangregg.com/blog/2018-02-09/kpti-kaiser-meltdown-performance.html",
    },
];

#[cfg(test)]
mod tests {
    use super::{Expensive, Phase};

    #[test]
    fn phases_and_kinds_index_their_arrays_in_all_order() {
        assert!(Phase::ALL.iter().enumerate().all(|(idx, phase)| *phase as usize == idx));
        assert!(Expensive::ALL.iter().enumerate().all(|(idx, kind)| *kind as usize == idx));
    }
}
