//! The process's resident memory and the most it may use: what the
//! report's memory headroom is made of.
//!
//! The resident memory is read as `process_resident_memory_bytes` is
//! ([`metrics_process`], from `/proc`). The limit is the tightest of the
//! process's cgroup and its ancestors (`memory.max` under cgroup v2, as
//! systemd's `MemoryMax=` and a Kubernetes memory limit set it;
//! `memory.limit_in_bytes` under v1) and the machine's memory
//! (`MemTotal`). Off Linux, neither is known.

use std::path::Path;

/// Where a memory limit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitSource {
    /// The process's control group (systemd, a container).
    Cgroup,
    /// The machine's memory.
    Machine,
}

impl LimitSource {
    /// Its name in the status document.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitSource::Cgroup => "cgroup",
            LimitSource::Machine => "machine",
        }
    }
}

/// The process's resident memory, in bytes, when the system says.
pub fn resident_bytes() -> Option<u64> {
    metrics_process::collector::collect().resident_memory_bytes
}

/// The most memory the process may use, and where that comes from.
pub fn limit() -> Option<(u64, LimitSource)> {
    let machine = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| mem_total(&text));
    let cgroup = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|text| cgroup_limit(&text, Path::new("/sys/fs/cgroup")));
    match (cgroup, machine) {
        (Some(cgroup), Some(machine)) if cgroup < machine => Some((cgroup, LimitSource::Cgroup)),
        (_, Some(machine)) => Some((machine, LimitSource::Machine)),
        (Some(cgroup), None) => Some((cgroup, LimitSource::Cgroup)),
        (None, None) => None,
    }
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|line| line.starts_with("MemTotal:"))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024)
}

/// The tightest memory limit of the cgroup `proc_cgroup` (the text of
/// `/proc/self/cgroup`) names and of its ancestors, under `root`.
fn cgroup_limit(proc_cgroup: &str, root: &Path) -> Option<u64> {
    let read = |path: &Path| -> Option<u64> {
        let text = std::fs::read_to_string(path).ok()?;
        // `max` (v2) or a huge number (v1) mean no limit.
        text.trim()
            .parse::<u64>()
            .ok()
            .filter(|&bytes| bytes < u64::MAX / 2)
    };
    let mut tightest: Option<u64> = None;
    let mut consider = |limit: Option<u64>| {
        if let Some(limit) = limit {
            tightest = Some(tightest.map_or(limit, |seen| seen.min(limit)));
        }
    };
    for line in proc_cgroup.lines() {
        // `hierarchy:controllers:path`; v2 has one line, `0::/path`.
        let mut fields = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let relative = path.trim_start_matches('/');
        if controllers.is_empty() {
            let mut directory = root.join(relative);
            loop {
                consider(read(&directory.join("memory.max")));
                if directory == root || !directory.pop() {
                    break;
                }
            }
        } else if controllers.split(',').any(|c| c == "memory") {
            let base = root.join("memory");
            let mut directory = base.join(relative);
            loop {
                consider(read(&directory.join("memory.limit_in_bytes")));
                if directory == base || !directory.pop() {
                    break;
                }
            }
        }
    }
    tightest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machines_memory_is_read_from_meminfo() {
        let meminfo = "MemTotal:       16384000 kB\nMemFree:         1000 kB\n";
        assert_eq!(mem_total(meminfo), Some(16_384_000 * 1024));
        assert_eq!(mem_total("nothing"), None);
    }

    #[test]
    fn the_tightest_cgroup_limit_wins_and_max_means_none() {
        let root = tempfile::tempdir().unwrap();
        let service = root.path().join("system.slice/voter-lookup.service");
        std::fs::create_dir_all(&service).unwrap();
        std::fs::write(root.path().join("system.slice/memory.max"), "max\n").unwrap();
        std::fs::write(service.join("memory.max"), "1073741824\n").unwrap();
        let v2 = "0::/system.slice/voter-lookup.service\n";
        assert_eq!(cgroup_limit(v2, root.path()), Some(1 << 30));
        // A slice with a tighter limit above the service.
        std::fs::write(root.path().join("system.slice/memory.max"), "536870912\n").unwrap();
        assert_eq!(cgroup_limit(v2, root.path()), Some(1 << 29));
        // No limit anywhere.
        std::fs::write(root.path().join("system.slice/memory.max"), "max\n").unwrap();
        std::fs::write(service.join("memory.max"), "max\n").unwrap();
        assert_eq!(cgroup_limit(v2, root.path()), None);
        // Version 1: the memory controller's own tree.
        let memory = root.path().join("memory/docker/abc");
        std::fs::create_dir_all(&memory).unwrap();
        std::fs::write(memory.join("memory.limit_in_bytes"), "268435456\n").unwrap();
        std::fs::write(
            root.path().join("memory/memory.limit_in_bytes"),
            "9223372036854771712\n",
        )
        .unwrap();
        let v1 = "12:cpu,cpuacct:/docker/abc\n7:memory:/docker/abc\n";
        assert_eq!(cgroup_limit(v1, root.path()), Some(1 << 28));
    }
}
