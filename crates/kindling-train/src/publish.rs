//! Publishing a run directory whole: a run is written into a private staging directory beside
//! its target and swapped in with one rename, so that whoever reads the target, and whenever the
//! writer dies, sees either the complete earlier run or the complete new one.
//!
//! # The instants of a publication, and what a kill at each leaves
//!
//! 1. **Begin** ([`RunDraft::begin`]): the target's [`RunLock`] is taken (the target is created
//!    if missing), leftovers of killed runs into the same place are tidied (see below), and a
//!    staging directory `.NAME.kindling-staging-XXXXXX` is created beside the target:
//!    exclusively, with a random name and owner-only permissions. A resumed run copies the
//!    target's checkpoints into it. *Killed here:* the target is untouched.
//! 2. **Training and writing** (checkpoints, run files, charts) happen inside the staging
//!    directory. *Killed here:* the target is untouched; the staging directory is a leftover.
//! 3. **Carrying the user's files** ([`RunDraft::publish`]): every file in the target that is not
//!    Kindling's (and the lock file) gets a hard link of the same name in the staging directory.
//!    *Killed here:* the target is untouched (a link adds a name and changes no file).
//! 4. **The swap**: the staging directory is synced and exchanged with the target in one
//!    `renameat2(RENAME_EXCHANGE)`, atomic on Linux (macOS: `renamex_np(RENAME_SWAP)`). Before
//!    it the target is the old run; after it, the new one. There is no instant in between.
//! 5. **Tidying** the old run, now under the staging name: Kindling's files are removed, the
//!    user's folders are moved into the new run (their files are there already, as links), and
//!    the emptied directory is removed. *Killed here:* the target is the complete new run; the
//!    leftover holds what was not yet tidied.
//!
//! The next run into the same target tidies leftovers the same way, once it holds the target's
//! lock (so no live writer owns them): Kindling's files go, the user's entries that the target
//! lacks are moved back into it, links to files the target holds are dropped. Nothing the user
//! put anywhere is deleted: an entry that cannot be put back is kept, with a warning naming it.
//!
//! Where the file system cannot exchange two names (not Linux or macOS, or a file system
//! without the call), the swap takes two renames, the target to a leftover name and the staging
//! directory to the target; a kill between them leaves no target, and the old run in the
//! leftover, which the next run tidies.

use crate::error::TrainError;
use crate::run_dir::{LOCK_FILE, RunLock, create_dir, is_kindling_file};
use std::path::{Path, PathBuf};

/// The folder of a run directory that holds its checkpoints.
pub const CHECKPOINT_DIR: &str = "checkpoint";

/// What a staging directory's name holds between the target's name and the random part.
const STAGING_MARK: &str = ".kindling-staging-";

/// The test-only switch that kills the process (SIGKILL) at a named instant of writing a run;
/// see [`fault_point`].
pub const KILL_AT: &str = "KINDLING_TEST_KILL_AT";

/// The instants [`KILL_AT`] can name, in the order a run reaches them.
pub const FAULT_POINTS: [&str; 6] = ["checkpoint", "run-files", "plots", "links", "swap", "tidy"];

/// Kills this process on the spot, as `kill -9` would, when [`KILL_AT`] names `point`: how the
/// fault-injection tests stop a run at each instant of writing it. Unset, it does nothing.
pub fn fault_point(point: &str) {
    if std::env::var_os(KILL_AT).is_some_and(|at| at == point) {
        #[cfg(unix)]
        let _ =
            rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::KILL);
        std::process::abort();
    }
}

/// A run directory being written: a private staging directory beside `target`, published over
/// it whole by [`RunDraft::publish`]. Dropped unpublished, its staging directory is removed and
/// the target stays as it was.
#[derive(Debug)]
pub struct RunDraft {
    target: PathBuf,
    staging: PathBuf,
    /// Held until the draft is dropped; the lock file moves into the published run.
    _lock: RunLock,
    published: bool,
    warnings: Vec<String>,
}

impl RunDraft {
    /// Starts a run for `target`: takes its lock, tidies leftovers of killed runs there, and
    /// creates the staging directory; with `resume`, copies the target's checkpoints into it.
    pub fn begin(target: &Path, resume: bool) -> Result<Self, TrainError> {
        let target = resolved(target)?;
        let lock = RunLock::acquire(&target)?;
        refuse_foreign_files(&target)?;
        let parent = target.parent().unwrap_or(Path::new("/")).to_path_buf();
        let prefix = staging_prefix(&target);
        let mut warnings = Vec::new();
        for leftover in leftovers(&parent, &prefix)? {
            warnings.extend(tidy(&leftover, &target)?);
        }
        let staging = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(&parent)
            .map_err(|e| TrainError::io(&parent, e))?
            .keep();
        let draft = Self {
            target,
            staging,
            _lock: lock,
            published: false,
            warnings,
        };
        if resume {
            draft.copy_checkpoints()?;
        }
        Ok(draft)
    }

    /// The staging directory: where the run's files (and a fit's checkpoints) are written.
    pub fn dir(&self) -> &Path {
        &self.staging
    }

    /// The directory the run is published to.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Swaps the staging directory in for the target (see the module's instants) and returns
    /// the warnings of tidying: entries of the user's that could not be put back, named.
    pub fn publish(mut self) -> Result<Vec<String>, TrainError> {
        carry_links(&self.target, &self.staging)?;
        replace_with_link(&self.target.join(LOCK_FILE), &self.staging.join(LOCK_FILE))?;
        if let Ok(meta) = std::fs::metadata(&self.target) {
            let _ = std::fs::set_permissions(&self.staging, meta.permissions());
        }
        sync_dir(&self.staging)?;
        fault_point("links");
        let old = swap(&self.staging, &self.target)?;
        self.published = true;
        if let Some(parent) = self.target.parent() {
            sync_dir(parent)?;
        }
        fault_point("swap");
        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.extend(tidy(&old, &self.target)?);
        Ok(warnings)
    }

    /// Copies the target's checkpoints (Kindling's files in its checkpoint folder) into the
    /// staging directory, for a fit that resumes.
    fn copy_checkpoints(&self) -> Result<(), TrainError> {
        let from = self.target.join(CHECKPOINT_DIR);
        let to = self.staging.join(CHECKPOINT_DIR);
        create_dir(&to)?;
        let entries = match std::fs::read_dir(&from) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(TrainError::io(&from, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| TrainError::io(&from, e))?;
            let name = entry.file_name();
            if is_checkpoint_file(&name.to_string_lossy())
                && entry.file_type().is_ok_and(|t| t.is_file())
            {
                std::fs::copy(entry.path(), to.join(&name))
                    .map_err(|e| TrainError::io(entry.path(), e))?;
            }
        }
        Ok(())
    }
}

impl Drop for RunDraft {
    fn drop(&mut self) {
        if !self.published {
            // Everything in it is ours: files written here, and links to files the target
            // still holds.
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Refuses a target that holds files under the names of a run's files but is no Kindling run
/// (it has no readable `metrics.json`): those files would be replaced, and they may be the
/// user's (a `config.json` of another program, say).
fn refuse_foreign_files(target: &Path) -> Result<(), TrainError> {
    let entries = std::fs::read_dir(target).map_err(|e| TrainError::io(target, e))?;
    let mut named_like_ours = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| TrainError::io(target, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_kindling_file(&name) && name != LOCK_FILE && !is_temporary(&name) {
            named_like_ours.push(name);
        }
    }
    if named_like_ours.is_empty() || crate::recipe::read_metrics(target).is_ok() {
        return Ok(());
    }
    named_like_ours.sort();
    Err(TrainError::Record {
        path: target.join(&named_like_ours[0]),
        reason: format!(
            "{} has no readable {}, so it is not a Kindling run, and a run would replace this file; move it, or write the run to another folder",
            target.display(),
            crate::run_dir::METRICS_FILE
        ),
    })
}

/// Whether `name` is a file Kindling writes in a checkpoint folder: `model-N.bpk`, the resume
/// state, the optimizer's state, or the temporary of one of its writes.
pub fn is_checkpoint_file(name: &str) -> bool {
    let checkpoint = name
        .strip_prefix("model-")
        .and_then(|rest| rest.strip_suffix(".bpk"))
        .is_some_and(|epoch| epoch.parse::<usize>().is_ok());
    checkpoint
        || name == crate::epoch_loop::RESUME_FILE
        || name == crate::epoch_loop::OPTIMIZER_STATE_FILE
        || is_temporary(name)
}

/// Whether `name` is the temporary of an atomic write (`.NAME.tmp-XXXXXX`).
pub(crate) fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// `target` as an absolute path whose last part is not a link (a link to a folder is followed,
/// so the run is staged beside the folder itself, on its file system).
fn resolved(target: &Path) -> Result<PathBuf, TrainError> {
    let absolute = std::path::absolute(target).map_err(|e| TrainError::io(target, e))?;
    let Some(name) = absolute.file_name() else {
        return Err(TrainError::Record {
            path: target.to_path_buf(),
            reason: "not a folder a run can be written to; name a folder for it".into(),
        });
    };
    let name = name.to_os_string();
    let parent = absolute.parent().unwrap_or(Path::new("/"));
    create_dir(parent)?;
    let parent = parent
        .canonicalize()
        .map_err(|e| TrainError::io(parent, e))?;
    let joined = parent.join(&name);
    let resolved = match joined.symlink_metadata() {
        Ok(meta) if meta.file_type().is_symlink() => {
            create_dir(&joined)?;
            joined
                .canonicalize()
                .map_err(|e| TrainError::io(&joined, e))?
        }
        _ => joined,
    };
    if std::env::current_dir().is_ok_and(|cwd| cwd == resolved) {
        return Err(TrainError::Record {
            path: target.to_path_buf(),
            reason: "is the current directory, which a run replaces whole; run the command from its parent, or name a subfolder".into(),
        });
    }
    Ok(resolved)
}

/// The start of the name of `target`'s staging directories: `.NAME.kindling-staging-`, with
/// the name cut to 100 bytes so that the whole stays within a file name's limit.
fn staging_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut end = name.len().min(100);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!(".{}{STAGING_MARK}", &name[..end])
}

/// The staging directories in `parent` whose names start with `prefix`: leftovers, once the
/// target's lock is held.
fn leftovers(parent: &Path, prefix: &str) -> Result<Vec<PathBuf>, TrainError> {
    let entries = std::fs::read_dir(parent).map_err(|e| TrainError::io(parent, e))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| TrainError::io(parent, e))?;
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && entry.file_name().to_string_lossy().starts_with(prefix) {
            found.push(entry.path());
        }
    }
    found.sort();
    Ok(found)
}

/// Gives every entry of `from` that is not Kindling's a hard link of the same name in `to`
/// (files and links; folders are moved after the swap), the checkpoint folder's included.
fn carry_links(from: &Path, to: &Path) -> Result<(), TrainError> {
    link_user_files(from, to, Level::Run)?;
    let checkpoints = from.join(CHECKPOINT_DIR);
    if checkpoints.is_dir() && !checkpoints.is_symlink() {
        link_user_files(&checkpoints, &to.join(CHECKPOINT_DIR), Level::Checkpoints)?;
    }
    Ok(())
}

/// Gives each file (or link) of `from` at `level` that is not Kindling's a hard link of the
/// same name in `to`, created if need be; folders are left for [`tidy`] to move.
fn link_user_files(from: &Path, to: &Path, level: Level) -> Result<(), TrainError> {
    for (entry, kind) in user_entries(from, level)? {
        let link = to.join(entry.file_name().unwrap_or_default());
        if kind.is_dir() || link.symlink_metadata().is_ok() {
            continue;
        }
        create_dir(to)?;
        std::fs::hard_link(&entry, &link).map_err(|e| TrainError::io(&entry, e))?;
    }
    Ok(())
}

/// Which folder of a run an entry is in, which says what Kindling writes there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The run directory itself.
    Run,
    /// Its checkpoint folder.
    Checkpoints,
}

impl Level {
    /// Whether Kindling writes the entry `name` of kind `kind` at this level: then it is
    /// replaced with the run (the lock file and the checkpoint folder are handled apart).
    fn ours(self, name: &str, kind: std::fs::FileType) -> bool {
        match self {
            Level::Run => {
                name == LOCK_FILE
                    || (name == CHECKPOINT_DIR && kind.is_dir())
                    || (is_kindling_file(name) && !kind.is_dir())
            }
            Level::Checkpoints => is_checkpoint_file(name) && !kind.is_dir(),
        }
    }
}

/// The entries of `dir` at `level` that are not Kindling's, with their kinds.
fn user_entries(dir: &Path, level: Level) -> Result<Vec<(PathBuf, std::fs::FileType)>, TrainError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(TrainError::io(dir, e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| TrainError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry
            .file_type()
            .map_err(|e| TrainError::io(entry.path(), e))?;
        if !level.ours(&name, kind) {
            found.push((entry.path(), kind));
        }
    }
    Ok(found)
}

/// Makes `link` a hard link to `original` (a file that exists), replacing what `link` was.
fn replace_with_link(original: &Path, link: &Path) -> Result<(), TrainError> {
    match std::fs::remove_file(link) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(TrainError::io(link, e)),
    }
    std::fs::hard_link(original, link).map_err(|e| TrainError::io(original, e))
}

/// Flushes a directory's entries to disk.
fn sync_dir(dir: &Path) -> Result<(), TrainError> {
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| TrainError::io(dir, e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Puts `staging` in `target`'s place and returns where the old `target` now is.
fn swap(staging: &Path, target: &Path) -> Result<PathBuf, TrainError> {
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(staging.to_path_buf()),
            // Only a file system without the call falls back to two renames.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(TrainError::io(target, std::io::Error::from(e))),
        }
    }
    let parent = target.parent().unwrap_or(Path::new("/"));
    let old = tempfile::Builder::new()
        .prefix(&staging_prefix(target))
        .tempdir_in(parent)
        .map_err(|e| TrainError::io(parent, e))?
        .keep();
    // Renaming a folder over an empty folder replaces it.
    std::fs::rename(target, &old).map_err(|e| TrainError::io(target, e))?;
    std::fs::rename(staging, target).map_err(|e| TrainError::io(target, e))?;
    Ok(old)
}

/// Empties the leftover directory `leftover` into `target` and removes it: Kindling's files are
/// deleted; the user's entries are moved into `target` where it lacks them, and dropped where
/// `target` holds the very same file (a link made by [`carry_links`]). Returns a warning for a
/// leftover that had to be kept.
fn tidy(leftover: &Path, target: &Path) -> Result<Option<String>, TrainError> {
    let mut kept = Vec::new();
    tidy_level(leftover, target, Level::Run, &mut kept)?;
    fault_point("tidy");
    let checkpoints = leftover.join(CHECKPOINT_DIR);
    if checkpoints.is_dir() && !checkpoints.is_symlink() {
        tidy_level(
            &checkpoints,
            &target.join(CHECKPOINT_DIR),
            Level::Checkpoints,
            &mut kept,
        )?;
        let _ = std::fs::remove_dir(&checkpoints);
    }
    let _ = std::fs::remove_file(leftover.join(LOCK_FILE));
    if std::fs::remove_dir(leftover).is_ok() {
        return Ok(None);
    }
    Ok(Some(format!(
        "{} is left from an earlier run into {}: it holds {}, which {} also holds under the same name; move what you need out of it and delete it",
        leftover.display(),
        target.display(),
        if kept.is_empty() {
            "files".to_string()
        } else {
            kept.join(", ")
        },
        target.display(),
    )))
}

/// One folder of [`tidy`]: `from`'s entries that are Kindling's at `level` are deleted, the
/// rest moved or dropped as there; names that stay are added to `kept`.
fn tidy_level(
    from: &Path,
    to: &Path,
    level: Level,
    kept: &mut Vec<String>,
) -> Result<(), TrainError> {
    let entries = std::fs::read_dir(from).map_err(|e| TrainError::io(from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| TrainError::io(from, e))?;
        let name = entry.file_name();
        let text = name.to_string_lossy().into_owned();
        let kind = entry
            .file_type()
            .map_err(|e| TrainError::io(entry.path(), e))?;
        let path = entry.path();
        if level == Level::Run && (text == LOCK_FILE || text == CHECKPOINT_DIR && kind.is_dir()) {
            continue; // the checkpoint folder is tidied on its own, the lock file last
        }
        if level.ours(&text, kind) {
            std::fs::remove_file(&path).map_err(|e| TrainError::io(&path, e))?;
            continue;
        }
        let there = to.join(&name);
        match there.symlink_metadata() {
            Err(_) => {
                create_dir(to)?;
                std::fs::rename(&path, &there).map_err(|e| TrainError::io(&path, e))?;
            }
            Ok(meta) if !kind.is_dir() && same_inode(&meta, &path) => {
                std::fs::remove_file(&path).map_err(|e| TrainError::io(&path, e))?;
            }
            Ok(_) => kept.push(text),
        }
    }
    Ok(())
}

/// Whether `path` is the file `meta` describes (the same device and inode).
fn same_inode(meta: &std::fs::Metadata, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        path.symlink_metadata()
            .is_ok_and(|other| other.dev() == meta.dev() && other.ino() == meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = (meta, path);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A stand-in run in `dir`: each run file holds `tag`, but `metrics.json`, which is real
    /// (for `tag` as its task), so that the folder is a Kindling run.
    fn write_run(dir: &Path, tag: &str) {
        for name in crate::run_dir::RUN_FILES {
            std::fs::write(dir.join(name), tag).unwrap();
        }
        let metrics = format!(
            r#"{{"task": "{tag}", "backend": "flex", "device": "Cpu", "epochs_run": 1,
            "stopped_early": false, "best_epoch": 1, "train_loss": 1.0, "val_loss": 1.0,
            "seconds_per_epoch": 1.0, "train_samples_per_second": 1.0, "train_examples": 1,
            "valid_examples": 1, "test_examples": 0, "parameters": 1, "weights_sha256": ""}}"#
        );
        std::fs::write(dir.join(crate::run_dir::METRICS_FILE), metrics).unwrap();
        std::fs::create_dir_all(dir.join(CHECKPOINT_DIR)).unwrap();
        std::fs::write(dir.join(CHECKPOINT_DIR).join("model-1.bpk"), tag).unwrap();
    }

    #[test]
    fn a_published_run_replaces_the_old_one_whole_and_keeps_the_users_files() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("run");
        std::fs::create_dir(&target).unwrap();
        write_run(&target, "old");
        std::fs::write(target.join("accuracy.png"), "old chart").unwrap();
        std::fs::write(target.join("notes.txt"), "mine").unwrap();
        std::fs::create_dir(target.join("mine")).unwrap();
        std::fs::write(target.join("mine/a.txt"), "a").unwrap();
        std::fs::write(target.join(CHECKPOINT_DIR).join("keep.txt"), "k").unwrap();

        let draft = RunDraft::begin(&target, false).unwrap();
        write_run(draft.dir(), "new");
        // Nothing shows before the swap.
        assert_eq!(
            std::fs::read_to_string(target.join("model.bpk")).unwrap(),
            "old"
        );
        let warnings = draft.publish().unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");

        for name in crate::run_dir::RUN_FILES {
            let text = std::fs::read_to_string(target.join(name)).unwrap();
            assert!(
                text == "new" || text.contains(r#""task": "new""#),
                "{name}: {text}"
            );
        }
        // The old run's chart is gone with it; the user's things are all there.
        assert!(!target.join("accuracy.png").exists());
        assert_eq!(
            std::fs::read_to_string(target.join("notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(target.join("mine/a.txt")).unwrap(),
            "a"
        );
        let checkpoints = target.join(CHECKPOINT_DIR);
        assert_eq!(names_in(&checkpoints), ["keep.txt", "model-1.bpk"]);
        assert_eq!(names_in(root.path()), ["run"], "leftovers");
    }

    #[test]
    fn a_folder_with_files_named_like_a_runs_but_no_run_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("project");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("config.json"), "{\"theirs\": true}").unwrap();
        let err = RunDraft::begin(&target, false).unwrap_err().to_string();
        assert!(err.contains("project/config.json"), "{err}");
        assert!(err.contains("not a Kindling run"), "{err}");
        assert_eq!(
            std::fs::read_to_string(target.join("config.json")).unwrap(),
            "{\"theirs\": true}"
        );
        // Files of other names are no obstacle.
        let other = root.path().join("other");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("notes.txt"), "mine").unwrap();
        RunDraft::begin(&other, false).unwrap();
    }

    #[test]
    fn an_unpublished_draft_leaves_the_target_as_it_was() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("run");
        std::fs::create_dir(&target).unwrap();
        write_run(&target, "old");
        let draft = RunDraft::begin(&target, false).unwrap();
        write_run(draft.dir(), "new");
        drop(draft);
        assert_eq!(
            std::fs::read_to_string(target.join("model.bpk")).unwrap(),
            "old"
        );
        assert_eq!(names_in(root.path()), ["run"]);
    }

    #[test]
    fn leftovers_of_killed_runs_are_tidied_by_the_next_run_without_losing_the_users_files() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("run");
        std::fs::create_dir(&target).unwrap();
        write_run(&target, "current");
        // A run killed after its swap, before tidying: the old run with a folder of the
        // user's not yet moved, and a run killed while training.
        let after_swap = root.path().join(".run.kindling-staging-aaaaaa");
        std::fs::create_dir(&after_swap).unwrap();
        write_run(&after_swap, "older");
        std::fs::create_dir(after_swap.join("photos")).unwrap();
        std::fs::write(after_swap.join("photos/p.txt"), "p").unwrap();
        let while_training = root.path().join(".run.kindling-staging-bbbbbb");
        std::fs::create_dir_all(while_training.join(CHECKPOINT_DIR)).unwrap();
        std::fs::write(while_training.join("checkpoint/model-3.bpk"), "x").unwrap();
        // Someone else's folder that merely looks alike is another target's.
        let other = root.path().join(".runs.kindling-staging-cccccc");
        std::fs::create_dir(&other).unwrap();

        let draft = RunDraft::begin(&target, false).unwrap();
        assert_eq!(
            names_in(root.path()),
            [".runs.kindling-staging-cccccc", "run"]
                .into_iter()
                .chain([draft.dir().file_name().unwrap().to_str().unwrap()])
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
        );
        assert_eq!(
            std::fs::read_to_string(target.join("photos/p.txt")).unwrap(),
            "p"
        );
        assert_eq!(
            std::fs::read_to_string(target.join("model.bpk")).unwrap(),
            "current"
        );
    }

    #[test]
    fn a_leftover_entry_the_target_also_has_is_kept_and_named() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("run");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("notes.txt"), "new notes").unwrap();
        let leftover = root.path().join(".run.kindling-staging-dddddd");
        std::fs::create_dir(&leftover).unwrap();
        std::fs::write(leftover.join("notes.txt"), "old notes").unwrap();
        std::fs::write(leftover.join("model.bpk"), "old").unwrap();
        let warning = tidy(&leftover, &target).unwrap().unwrap();
        assert!(warning.contains("notes.txt"), "{warning}");
        assert_eq!(names_in(&leftover), ["notes.txt"]);
        assert_eq!(
            std::fs::read_to_string(leftover.join("notes.txt")).unwrap(),
            "old notes"
        );
    }

    #[test]
    fn a_resumed_draft_starts_from_the_targets_checkpoints() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("run");
        std::fs::create_dir(&target).unwrap();
        write_run(&target, "old");
        std::fs::write(target.join("checkpoint/resume.json"), "{}").unwrap();
        std::fs::write(target.join("checkpoint/mine.txt"), "m").unwrap();
        let draft = RunDraft::begin(&target, true).unwrap();
        assert_eq!(
            names_in(&draft.dir().join(CHECKPOINT_DIR)),
            ["model-1.bpk", "resume.json"]
        );
    }

    #[test]
    fn long_names_still_make_valid_staging_names() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("é".repeat(120));
        let draft = RunDraft::begin(&target, false).unwrap();
        assert!(draft.dir().is_dir());
        draft.publish().unwrap();
        assert!(target.is_dir());
    }
}
