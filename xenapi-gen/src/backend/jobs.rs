//! Running independent pieces of generation on every core.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The work of a job.
pub type Work<'a, T> = Box<dyn FnOnce() -> T + Send + 'a>;

/// A piece of work and a rough measure of its size.
pub type Job<'a, T> = (usize, Work<'a, T>);

/// Runs the jobs on up to `available_parallelism` threads, largest first
/// so that no thread is left with a big job at the end, and returns the
/// results in the order the jobs were given. A panic in a job is resumed
/// on the caller's thread.
pub fn run<'a, T: Send>(jobs: Vec<Job<'a, T>>) -> Vec<T> {
    let n = jobs.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].0));
    let slots: Vec<Mutex<Option<Work<'a, T>>>> =
        jobs.into_iter().map(|(_, f)| Mutex::new(Some(f))).collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get()).clamp(1, 8).min(n.max(1));
    let mut results: Vec<Option<T>> = (0..n).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = order.get(k) else { break };
                        let job = slots[i].lock().unwrap_or_else(|p| p.into_inner()).take();
                        if let Some(job) = job {
                            done.push((i, job()));
                        }
                    }
                    done
                })
            })
            .collect();
        for w in workers {
            match w.join() {
                Ok(done) => {
                    for (i, r) in done {
                        results[i] = Some(r);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    results.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_jobs() {
        let jobs: Vec<Job<'_, usize>> = (0..50).map(|i| (i % 7, Box::new(move || i * 2) as Box<dyn FnOnce() -> usize + Send>)).collect();
        assert_eq!(run(jobs), (0..50).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn no_jobs_no_results() {
        assert!(run::<u8>(Vec::new()).is_empty());
    }
}
