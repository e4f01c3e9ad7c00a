//! Dated version data: each preset's releases with their release and end-of-life dates
//! and the image tags published for them. "Supported", "LTS" and "newest that satisfies
//! a range" are computed against a date ("today": the system clock, or
//! `DOCKFORM_TODAY=YYYY-MM-DD`), so a binary does not go stale silently.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Days after which `detect` says the embedded version data may be out of date.
pub const STALE_AFTER_DAYS: i64 = 180;

/// Debian releases by code name, with the number distroless images use.
const DEBIAN: &[(&str, &str)] = &[
    ("trixie", "13"),
    ("bookworm", "12"),
    ("bullseye", "11"),
    ("buster", "10"),
];

/// A calendar date, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(i64);

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.trim().splitn(3, '-');
        let (y, m, d) = (it.next()?, it.next()?, it.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        let date = Date(days_from_civil(y, m, d));
        (date.civil() == (y, m, d)).then_some(date)
    }

    /// Today: `DOCKFORM_TODAY` (`YYYY-MM-DD`) when set and valid, else the system clock (UTC).
    pub fn today() -> Date {
        if let Some(d) = std::env::var("DOCKFORM_TODAY")
            .ok()
            .and_then(|v| Date::parse(&v))
        {
            return d;
        }
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Date(secs.div_euclid(86_400))
    }

    /// Days from `self` to `later`.
    pub fn days_until(self, later: Date) -> i64 {
        later.0 - self.0
    }

    fn civil(self) -> (i64, i64, i64) {
        // Howard Hinnant's civil_from_days.
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        (yoe + era * 400 + i64::from(m <= 2), m, d)
    }
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.civil();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a date like 2026-12-01")))
    }
}

/// A preset's version data (`[versions]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Versions {
    /// When the data was last checked against the upstream schedules.
    pub updated: Date,
    /// The official image repository the release tags belong to (`node`, `golang`).
    pub image: String,
    /// Debian releases to try for `{debian}` in image names, preferred first.
    #[serde(default)]
    pub debian: Vec<String>,
    /// Version-independent images the families may use (`debian:trixie-slim`, `scratch`).
    #[serde(default)]
    pub other_images: Vec<String>,
    /// Named aliases (`lts/jod`) mapped to a version; `lts/*` is computed from the dates.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    /// Every release dockform knows, newest first.
    pub release: Vec<Release>,
    /// The date "supported" is computed against; set on load ([`Date::today`]).
    #[serde(skip)]
    pub today: Date,
}

/// One release line (`24`, `1.26`, `3.13`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Release {
    /// The line as image tags spell it.
    pub version: String,
    /// First release of the line.
    pub released: Date,
    /// When it entered long-term support (Node only; odd majors never do).
    #[serde(default)]
    pub lts: Option<Date>,
    /// End of life: no fixes from this day on. None while not announced.
    #[serde(default)]
    pub eol: Option<Date>,
    /// Tag suffixes published for `<image>:<version>-<suffix>` (`trixie-slim`, `alpine`).
    pub tags: Vec<String>,
    /// Other version-specific images published for it (distroless).
    #[serde(default)]
    pub images: Vec<String>,
}

impl Release {
    /// Whether the line is past its end of life on `today`.
    pub fn is_eol(&self, today: Date) -> bool {
        self.eol.is_some_and(|e| e <= today)
    }

    /// Whether `version` is this line or one release of it (`22`, `22.11.0`; `1.26.1`).
    pub fn covers(&self, version: &str) -> bool {
        version == self.version
            || version
                .strip_prefix(&self.version)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|rest| {
                    rest.split('.')
                        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
                })
    }
}

impl Versions {
    /// The release line `version` belongs to, if dockform knows it: the most specific
    /// one when a floating major (`1`) and a minor line (`1.3`) both cover it.
    pub fn release(&self, version: &str) -> Option<&Release> {
        self.release
            .iter()
            .filter(|r| r.covers(version))
            .max_by_key(|r| r.version.matches('.').count())
    }

    /// Released and not yet end-of-life today, newest first.
    pub fn supported(&self) -> impl Iterator<Item = &Release> {
        self.release
            .iter()
            .filter(|r| r.released <= self.today && !r.is_eol(self.today))
    }

    /// Whether the data distinguishes LTS lines (Node).
    pub fn has_lts(&self) -> bool {
        self.release.iter().any(|r| r.lts.is_some())
    }

    /// Candidates for a range or a default: supported lines, and with LTS data only
    /// those that are (or will become) LTS, newest first.
    pub fn candidates(&self) -> impl Iterator<Item = &Release> {
        let lts = self.has_lts();
        self.supported().filter(move |r| !lts || r.lts.is_some())
    }

    /// The newest line in long-term support today (`lts/*`).
    pub fn newest_lts(&self) -> Option<&Release> {
        self.supported()
            .find(|r| r.lts.is_some_and(|d| d <= self.today))
    }

    /// Resolves an alias (`lts/*`, `lts/jod`); None when `name` is not one.
    pub fn alias(&self, name: &str) -> Option<String> {
        if name == "lts/*" || name == "lts" {
            return self.newest_lts().map(|r| r.version.clone());
        }
        self.aliases.get(name).cloned()
    }

    /// Days past the data's `updated` date, when more than [`STALE_AFTER_DAYS`].
    pub fn stale_days(&self) -> Option<i64> {
        let age = self.updated.days_until(self.today);
        (age > STALE_AFTER_DAYS).then_some(age)
    }

    /// Whether `image` exists according to the data, for line `release`.
    pub fn published(&self, release: &Release, image: &str) -> bool {
        if self.other_images.iter().any(|i| i == image) || release.images.iter().any(|i| i == image)
        {
            return true;
        }
        image
            .strip_prefix(&format!("{}:", self.image))
            .and_then(|tag| tag.split_once('-'))
            .is_some_and(|(v, suffix)| {
                release.covers(v) && release.tags.iter().any(|t| t == suffix)
            })
    }

    /// The Debian releases to try for `{debian}`: the preferred order, or one empty
    /// entry when the preset's images name no Debian release.
    pub fn debian_choices(&self) -> Vec<&str> {
        if self.debian.is_empty() {
            vec![""]
        } else {
            self.debian.iter().map(String::as_str).collect()
        }
    }
}

/// The warning for a pinned line past its end of life, naming the date and what to
/// move to; None while it is supported (or has no known end).
pub fn eol_warning(versions: &Versions, lang: &str, version: &str, source: &str) -> Option<String> {
    let release = versions.release(version)?;
    let eol = release.eol.filter(|_| release.is_eol(versions.today))?;
    let instead = versions
        .newest_lts()
        .or_else(|| versions.candidates().next())
        .map_or(String::new(), |r| {
            format!("; consider {lang} {}", r.version)
        });
    Some(format!(
        "{lang} {} (from `{source}`) reached its end of life on {eol} and gets no more fixes; the image is the newest that was published for it{instead}",
        release.version
    ))
}

/// Fills `{version}`, `{debian}` and `{debian-number}` in an image name.
pub fn image_name(template: &str, version: &str, debian: &str) -> String {
    let number = DEBIAN
        .iter()
        .find(|(name, _)| *name == debian)
        .map_or("", |(_, n)| n);
    template
        .replace("{version}", version)
        .replace("{debian-number}", number)
        .replace("{debian}", debian)
}

/// Whether version `v` (`20`, `22.11.0`) satisfies the node-semver range `range`;
/// None when `range` is not a range dockform reads.
pub fn range_allows(range: &str, v: &str) -> Option<bool> {
    parse_range(range).map(|r| line_satisfies(v, &r))
}

/// Whether some release of the line `v` (`24`, `3.13`) satisfies `range`: its first,
/// a far-future one, or the range's own minimum when that falls inside the line.
pub(crate) fn line_satisfies(v: &str, range: &node_semver::Range) -> bool {
    let (low, high) = match v.matches('.').count() {
        0 => (format!("{v}.0.0"), format!("{v}.99999.99999")),
        1 => (format!("{v}.0"), format!("{v}.99999")),
        _ => (v.to_string(), v.to_string()),
    };
    let in_line = |x: &node_semver::Version| {
        let s = x.to_string();
        s == v || s.starts_with(&format!("{v}."))
    };
    [low, high]
        .iter()
        .filter_map(|s| node_semver::Version::parse(s).ok())
        .chain(range.min_version().filter(in_line))
        .any(|x| range.satisfies(&x))
}

/// Parses a node-semver range. node-semver 2.2 hits `unreachable!()` on odd but
/// "parsable" input (`=x`, `~*`, `~ >1.*.1`: found by the `version_range` fuzz target)
/// and its `+ 1` arithmetic overflows on huge numbers, and the input comes from
/// `engines.node` or a flag. So only ranges of the usual grammar reach it: `||`-joined
/// sets of comparators (`>=20`, `^22.1.0`, `~22`, `22.x`, `*`) or hyphen ranges
/// (`20 - 22`), numbers of at most 9 digits, an operator always before a number. Any
/// other panic in it is caught and treated as "not a range".
pub(crate) fn parse_range(wanted: &str) -> Option<node_semver::Range> {
    if !wanted.split("||").all(usual_comparator_set) {
        return None;
    }
    std::panic::catch_unwind(|| node_semver::Range::parse(wanted).ok())
        .ok()
        .flatten()
}

/// `>=20 <23`, `^22.1.0`, `22.x`, `*`, `20 - 22`: see [`parse_range`].
fn usual_comparator_set(set: &str) -> bool {
    const PARTIAL: &str = r"v?\d{1,9}(?:\.\d{1,9}(?:\.\d{1,9}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?|\.[xX*])?|\.[xX*](?:\.[xX*])?)?";
    static RE: std::sync::OnceLock<Option<(regex::Regex, regex::Regex, regex::Regex)>> =
        std::sync::OnceLock::new();
    let Some((op_space, comparator, hyphen)) = RE.get_or_init(|| {
        let comparator =
            format!(r"^(?:(?:<=|>=|<|>|=|~>|~|\^){PARTIAL}|{PARTIAL}|[xX*](?:\.[xX*]){{0,2}})$");
        let hyphen = format!(r"^{PARTIAL}\s+-\s+{PARTIAL}$");
        Some((
            regex::Regex::new(r"([<>=~^])[ \t]+").ok()?,
            regex::Regex::new(&comparator).ok()?,
            regex::Regex::new(&hyphen).ok()?,
        ))
    }) else {
        return false;
    };
    let set = set.trim();
    if hyphen.is_match(set) {
        return true;
    }
    let joined = op_space.replace_all(set, "$1");
    !joined.is_empty() && joined.split_whitespace().all(|c| comparator.is_match(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_print_and_count_days() {
        let d = Date::parse("2026-12-01").unwrap();
        assert_eq!(d.to_string(), "2026-12-01");
        assert_eq!(Date::parse("1970-01-01"), Some(Date(0)));
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert_eq!(Date::parse("2025-02-29"), None);
        assert_eq!(Date::parse("2026-1-01"), None);
        let later = Date::parse("2027-05-30").unwrap();
        assert_eq!(d.days_until(later), 180);
    }

    #[test]
    fn a_release_covers_its_patch_versions_only() {
        let r = Release {
            version: "1.2".into(),
            released: Date(0),
            lts: None,
            eol: None,
            tags: vec![],
            images: vec![],
        };
        assert!(r.covers("1.2"));
        assert!(r.covers("1.2.3"));
        assert!(!r.covers("1.20"));
        assert!(!r.covers("1.2-alpine"));
        assert!(!r.covers("1.2.x"));
    }

    #[test]
    fn a_patch_version_belongs_to_its_minor_line_before_the_floating_major() {
        let line = |v: &str| Release {
            version: v.into(),
            released: Date(0),
            lts: None,
            eol: None,
            tags: vec!["slim".into()],
            images: vec![],
        };
        let versions = Versions {
            updated: Date(0),
            image: "oven/bun".into(),
            debian: vec![],
            other_images: vec![],
            aliases: BTreeMap::new(),
            release: vec![line("1"), line("1.3")],
            today: Date(0),
        };
        assert_eq!(versions.release("1.3.11").unwrap().version, "1.3");
        assert_eq!(versions.release("1.3").unwrap().version, "1.3");
        assert_eq!(versions.release("1.2.0").unwrap().version, "1");
    }
}
