//! The optional configuration file (配置文件) `zizhu.toml`: the settings a server keeps from run to
//! run, so that they need not be typed each time. Read from `--config FILE` (env `ZIZHU_CONFIG`),
//! else from `zizhu.toml` in the current folder when it exists. A setting given on the command line
//! or in the environment wins over the file.
//!
//! ```toml
//! database = "postgres://zizhu@10.0.0.5/zizhu"   # same forms as --database
//! policy = "policy/2024.toml"                    # same as --policy
//! actor = "县学生资助管理中心"                      # same as --actor
//! ```

use std::path::{Path, PathBuf};

/// The default file, looked for in the current folder.
pub const DEFAULT_CONFIG: &str = "zizhu.toml";

/// The settings of the file; each is optional.
#[derive(Debug, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database: Option<String>,
    pub policy: Option<PathBuf>,
    pub actor: Option<String>,
}

/// Parses the text of a configuration file; `label` names it in the error.
pub fn parse(text: &str, label: &str) -> anyhow::Result<Config> {
    toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let line = text.get(..s.start).map_or(0, |b| b.matches('\n').count()) + 1;
                format!("第{line}行：")
            })
            .unwrap_or_default();
        anyhow::anyhow!(
            "配置文件 {label} 有误：{at}{}（允许的设置：database、policy、actor）",
            e.message()
        )
    })
}

/// Loads `explicit`, else `zizhu.toml` in the current folder if there is one, else nothing.
///
/// Errors: an explicit file that cannot be read; a file that is not valid (line named).
pub fn load(explicit: Option<&Path>) -> anyhow::Result<Config> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        // Anything named zizhu.toml (a directory, a dangling link) is read, so that a mistake
        // is an error rather than silently ignored.
        None if std::fs::symlink_metadata(DEFAULT_CONFIG).is_ok() => PathBuf::from(DEFAULT_CONFIG),
        None => return Ok(Config::default()),
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("无法读取配置文件 {}：{}", path.display(), io_reason(&e)))?;
    let conf = parse(&text, &path.display().to_string())?;
    Ok(relative_to(conf, path.parent().unwrap_or(Path::new(""))))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在".into(),
        std::io::ErrorKind::PermissionDenied => "没有读取权限".into(),
        std::io::ErrorKind::IsADirectory => "这是一个目录，不是文件".into(),
        std::io::ErrorKind::InvalidData => "不是 UTF-8 文本".into(),
        _ => e.to_string(),
    }
}

/// Relative paths in the file (the policy file, a SQLite database) are relative to the folder of
/// the configuration file, wherever zizhu is run from.
fn relative_to(mut conf: Config, base: &Path) -> Config {
    if base.as_os_str().is_empty() {
        return conf;
    }
    if let Some(p) = conf.policy.take() {
        conf.policy = Some(if p.is_relative() { base.join(p) } else { p });
    }
    if let Some(url) = conf.database.take() {
        conf.database = Some(match zizhu_store::sqlite_file(&url) {
            Some(f) if Path::new(f).is_relative() => {
                // `f` is the part of `url` after `sqlite:` (and `//`): splice the joined path in.
                let at = url.len() - url["sqlite:".len()..].trim_start_matches("//").len();
                let end = at + f.len();
                format!(
                    "{}{}{}",
                    url.get(..at).unwrap_or("sqlite:"),
                    base.join(f).display(),
                    url.get(end..).unwrap_or_default()
                )
            }
            _ => url,
        });
    }
    conf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read() {
        let c = parse(
            "database = \"postgres://zizhu@db/zizhu\"\nactor = \"资助中心\"\n",
            "zizhu.toml",
        )
        .ok();
        assert_eq!(
            c,
            Some(Config {
                database: Some("postgres://zizhu@db/zizhu".into()),
                policy: None,
                actor: Some("资助中心".into()),
            })
        );
    }

    #[test]
    fn relative_paths_follow_the_config_file() {
        let c = relative_to(
            Config {
                database: Some("sqlite:data/zizhu.db".into()),
                policy: Some(PathBuf::from("policy/2024.toml")),
                actor: None,
            },
            Path::new("/srv/zizhu"),
        );
        assert_eq!(
            c.database.as_deref(),
            Some("sqlite:/srv/zizhu/data/zizhu.db")
        );
        assert_eq!(c.policy, Some(PathBuf::from("/srv/zizhu/policy/2024.toml")));
        let c = relative_to(
            Config {
                database: Some("sqlite:sqlite?mode=rwc".into()),
                ..Config::default()
            },
            Path::new("/srv"),
        );
        assert_eq!(c.database.as_deref(), Some("sqlite:/srv/sqlite?mode=rwc"));
        for kept in ["sqlite:/abs/z.db", "sqlite::memory:", "postgres://u@h/db"] {
            let c = relative_to(
                Config {
                    database: Some(kept.into()),
                    ..Config::default()
                },
                Path::new("/srv/zizhu"),
            );
            assert_eq!(c.database.as_deref(), Some(kept));
        }
    }

    #[test]
    fn an_unknown_setting_is_named_with_its_line() {
        let e = parse("actor = \"x\"\ndatabse = \"sqlite:a.db\"\n", "zizhu.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("第2行"), "{e}");
        assert!(e.contains("databse"), "{e}");
    }
}
