//! Running the independent pieces of one backend side by side on rayon's
//! pool, the one pool of a run: the loader and the fan-out over languages
//! use it too.

use rayon::prelude::*;

/// The work of a job.
pub type Work<'a, T> = Box<dyn FnOnce() -> T + Send + 'a>;

/// A piece of work and a rough measure of its size.
pub type Job<'a, T> = (usize, Work<'a, T>);

/// Runs the jobs in parallel, the largest started first so that no thread
/// is left with a big one at the end, and returns the results in the order
/// the jobs were given. A panic in a job is resumed on the caller's thread.
pub fn run<T: Send>(jobs: Vec<Job<'_, T>>) -> Vec<T> {
    let mut jobs: Vec<(usize, usize, Work<'_, T>)> =
        jobs.into_iter().enumerate().map(|(i, (w, f))| (i, w, f)).collect();
    jobs.sort_by_key(|&(i, w, _)| (std::cmp::Reverse(w), i));
    let mut done: Vec<(usize, T)> = jobs.into_par_iter().with_max_len(1).map(|(i, _, f)| (i, f())).collect();
    done.sort_by_key(|&(i, _)| i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_jobs() {
        let jobs: Vec<Job<'_, usize>> = (0..50).map(|i| (i % 7, Box::new(move || i * 2) as Work<'_, usize>)).collect();
        assert_eq!(run(jobs), (0..50).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn a_panic_in_a_job_reaches_the_caller() {
        let jobs: Vec<Job<'_, u8>> = vec![(1, Box::new(|| 1)), (2, Box::new(|| panic!("job failed")))];
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(jobs))).unwrap_err();
        assert_eq!(caught.downcast_ref::<&str>(), Some(&"job failed"));
    }

    #[test]
    fn no_jobs_no_results() {
        assert!(run::<u8>(Vec::new()).is_empty());
    }
}
