//! Counting only the measured calls under callgrind: [`Counted`] turns callgrind's collection on
//! for exactly the time its future is being polled, on the thread that polls it. Run under
//! `valgrind --tool=callgrind --collect-atstart=no`, the count then leaves out the set-up (moto's
//! start, the sign-in, the application: their polling loops wait on other processes, so their
//! instructions vary from run to run) and every other task of the runtime: the in-process
//! sandbox's server, hyper's connection tasks. Outside valgrind the requests do nothing.
//!
//! Written here rather than taken from `crabgrind` or `valgrind-requests`: both build against the
//! valgrind headers, and this bench must build where valgrind is not installed.
//! What follows is valgrind's documented client-request sequence (`valgrind.h`,
//! `VALGRIND_DO_CLIENT_REQUEST_EXPR`), for the two architectures we build for.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

/// `VG_USERREQ__TOGGLE_COLLECT` (`callgrind.h`): `VG_USERREQ_TOOL_BASE('C', 'T') + 2`.
const TOGGLE_COLLECT: u64 = ((b'C' as u64) << 24 | (b'T' as u64) << 16) + 2;

/// Runs `request` as a valgrind client request; natively (no valgrind) the magic sequence is a
/// no-op: the four rotations of one register add up to a whole turn.
#[inline(always)]
fn client_request(request: u64) {
    let args: [u64; 6] = [request, 0, 0, 0, 0, 0];
    #[cfg(target_arch = "x86_64")]
    // SAFETY: rotates rdi by 128 bits in all (unchanged) and exchanges rbx with itself; valgrind
    // reads the six words at `args` and writes its answer to rdx, which is declared clobbered.
    unsafe {
        std::arch::asm!(
            "rol rdi, 3", "rol rdi, 13", "rol rdi, 61", "rol rdi, 51",
            "xchg rbx, rbx",
            in("rax") args.as_ptr(),
            inout("rdx") 0u64 => _,
            options(nostack),
        );
    }
    #[cfg(target_arch = "aarch64")]
    // SAFETY: rotates x12 by 128 bits in all (unchanged) and ors x10 with itself; valgrind reads
    // the six words at x4 and writes its answer to x3, both declared clobbered.
    unsafe {
        std::arch::asm!(
            "ror x12, x12, #3", "ror x12, x12, #13", "ror x12, x12, #51", "ror x12, x12, #61",
            "orr x10, x10, x10",
            inout("x4") args.as_ptr() => _,
            inout("x3") 0u64 => _,
            options(nostack),
        );
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    let _ = args;
}

/// A future whose polls, and only they, are counted (callgrind's collection toggled on entering
/// and leaving each poll).
pub struct Counted<F>(pub Pin<Box<F>>);

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        client_request(TOGGLE_COLLECT);
        let polled = self.0.as_mut().poll(cx);
        client_request(TOGGLE_COLLECT);
        polled
    }
}

/// `future`, counted when run under callgrind with `--collect-atstart=no`.
pub fn counted<F: Future>(future: F) -> Counted<F> {
    Counted(Box::pin(future))
}
