//! Matching (精准识别): link a person to the department lists by ID number and say which hardship
//! categories apply on the term's reference date, each with the list and row that proved it; then
//! pack the student's facts for the policy engine. Pure: the caller loads the lists.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use zizhu_domain::ids::id_key;
use zizhu_domain::{
    stage_of, Area, AssistanceEntry, Category, Difficulty, DisabledPerson, IdNumber, ListKind,
    PoorHouseholdMember, PovertyStatus, School, StudentRecord,
};
use zizhu_policy::FactInput;
use zizhu_store::Sourced;

/// A category that applies to a person, with its source.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchedCategory {
    pub category: Category,
    pub list: ListKind,
    /// Import batch and row of the list entry (for the school's own recognition: of the registry row).
    pub import_id: i64,
    pub row_no: i64,
    /// Chinese detail: household number, validity, certificate, tier.
    pub detail: String,
}

/// The department lists, indexed by ID number, restricted to entries valid on one date.
///
/// A province's lists hold millions of people, so an entry keeps only what matching, the
/// category detail and the "not in the registry" finding need — no ID string (the key is the
/// ID's first 17 digits, [`id_key`], and the ID is rebuilt from it), one allocation per text,
/// and townships, villages and disability categories shared (measured at 10 M students: the
/// full rows took about 2 GB; see BENCHMARKS.md).
#[derive(Debug)]
pub struct ListIndex {
    on: NaiveDate,
    poor: FxHashMap<u64, Entry<Poor>>,
    dibao: FxHashMap<u64, Entry<Assist>>,
    tekun: FxHashMap<u64, Entry<Assist>>,
    urban: FxHashMap<u64, Entry<Assist>>,
    disabled: FxHashMap<u64, Entry<Disabled>>,
    /// Shared texts (township + village, disability category), by number.
    texts: Vec<Box<str>>,
    text_ix: FxHashMap<Box<str>, u32>,
    /// Every entry's own texts (name, household or certificate number), end to end: one
    /// allocation for millions of short strings instead of one each.
    arena: String,
    /// Who may be on some list, made on the first lookup after the last entry was added.
    members: std::sync::OnceLock<Members>,
}

/// A bit per hash of a key of every list entry: most of a county's students are on no list,
/// and one look here answers for them instead of a look into each of the five maps (each a
/// cache miss at province scale; measured at 10 M students in BENCHMARKS.md). A clear bit means
/// on no list; a set bit is checked in the maps (about one in twenty of the others).
#[derive(Debug)]
struct Members {
    bits: Vec<u64>,
    /// Right shift that takes a hash to a bit number (64 − log2 of the number of bits).
    shift: u32,
}

impl Members {
    fn new(keys: impl Iterator<Item = u64>, n: usize) -> Members {
        // 16 bits per entry, a power of two: a clear bit for about 94 % of the others.
        let bits = n.saturating_mul(16).max(64).next_power_of_two();
        let mut m = Members {
            bits: vec![0; bits / 64],
            shift: 64 - bits.trailing_zeros(),
        };
        for k in keys {
            let b = m.bit(k);
            if let Some(w) = m.bits.get_mut(b / 64) {
                *w |= 1 << (b % 64);
            }
        }
        m
    }

    fn bit(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    fn may_contain(&self, key: u64) -> bool {
        let b = self.bit(key);
        self.bits
            .get(b / 64)
            .is_some_and(|w| w >> (b % 64) & 1 == 1)
    }
}

/// A text in [`ListIndex::arena`]: byte offset and length.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

/// One list entry: its source row, the person's name, and the list's own fields. Batch ids and
/// row numbers are kept in 32 bits (a list of four billion rows is not a county's).
#[derive(Debug)]
struct Entry<T> {
    import_id: u32,
    row_no: u32,
    name: Span,
    fields: T,
}

impl<T> Entry<T> {
    fn source(&self) -> (i64, i64) {
        (i64::from(self.import_id), i64::from(self.row_no))
    }
}

#[derive(Debug)]
struct Poor {
    household_no: Span,
    /// Township and village, a shared text.
    place: u32,
    status: PovertyStatus,
    exit_year: Option<i32>,
}

#[derive(Debug)]
struct Assist {
    area: Area,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}

#[derive(Debug)]
struct Disabled {
    certificate_no: Span,
    /// Disability category, a shared text.
    category: u32,
    grade: Option<u8>,
}

fn valid_on(e: &AssistanceEntry, on: NaiveDate) -> bool {
    e.valid_from.is_none_or(|f| f <= on) && e.valid_to.is_none_or(|t| t >= on)
}

fn validity(e: &Entry<Assist>) -> String {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    format!(
        "有效期 {} 至 {}",
        date(e.fields.valid_from),
        date(e.fields.valid_to)
    )
}

/// A batch id or row number in 32 bits (saturating; see [`Entry`]).
fn narrow(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The ID number whose [`id_key`] is `key`: its 17 digits and their check character.
fn id_of_key(key: u64) -> Option<IdNumber> {
    let first17 = format!("{key:017}");
    let check = zizhu_domain::ids::check_char(&first17)?;
    IdNumber::from_stored(&format!("{first17}{check}")).ok()
}

impl ListIndex {
    /// An empty index for the reference date `on`; fill it with the `add_*` methods.
    pub fn new(on: NaiveDate) -> ListIndex {
        ListIndex {
            on,
            poor: FxHashMap::default(),
            dibao: FxHashMap::default(),
            tekun: FxHashMap::default(),
            urban: FxHashMap::default(),
            disabled: FxHashMap::default(),
            texts: Vec::new(),
            text_ix: FxHashMap::default(),
            arena: String::new(),
            members: std::sync::OnceLock::new(),
        }
    }

    /// The membership filter, made from every key when first asked for.
    fn members(&self) -> &Members {
        self.members.get_or_init(|| {
            let n = self.poor.len()
                + self.dibao.len()
                + self.tekun.len()
                + self.urban.len()
                + self.disabled.len();
            Members::new(self.people().map(|(k, _)| k), n)
        })
    }

    /// Appends `text` to the arena. Past 4 GiB of text (no province comes near) the text is
    /// kept empty rather than wrapped onto another.
    fn keep(&mut self, text: &str) -> Span {
        match (
            u32::try_from(self.arena.len()),
            u32::try_from(self.arena.len() + text.len()),
        ) {
            (Ok(start), Ok(_)) => {
                self.arena.push_str(text);
                Span {
                    start,
                    len: text.len() as u32,
                }
            }
            _ => Span { start: 0, len: 0 },
        }
    }

    fn kept(&self, s: Span) -> &str {
        let start = s.start as usize;
        self.arena
            .get(start..start + s.len as usize)
            .unwrap_or_default()
    }

    /// Makes room for `n` more entries of list `kind` at once (the rows of its current import),
    /// so that filling the index does not grow its maps step by step: no rehashing, and no
    /// moment when a grown map and its old copy are both held (at province scale, hundreds of
    /// MB). Other kinds are ignored.
    pub fn reserve(&mut self, kind: ListKind, n: usize) {
        // `n` is a stored row count: at most `RESERVE_MAX`, and a refusal is no error (the maps
        // then grow as they fill).
        let n = n.min(crate::compute::RESERVE_MAX);
        // The arena too, by what an entry keeps there: a name (three Chinese characters, 9 bytes)
        // and, on two lists, a household or certificate number (16-20 digits).
        let arena_bytes = match kind {
            ListKind::PoorHouseholds => {
                let _ = self.poor.try_reserve(n);
                28
            }
            ListKind::Dibao => {
                let _ = self.dibao.try_reserve(n);
                10
            }
            ListKind::Tekun => {
                let _ = self.tekun.try_reserve(n);
                10
            }
            ListKind::UrbanHardship => {
                let _ = self.urban.try_reserve(n);
                10
            }
            ListKind::Disabled => {
                let _ = self.disabled.try_reserve(n);
                30
            }
            _ => 0,
        };
        let _ = self.arena.try_reserve(n.saturating_mul(arena_bytes));
    }

    /// Builds the index from whole lists; list entries not valid on `on` are left out
    /// (低保/特困/城镇困难 periods). When a list names a person twice, the later row counts.
    pub fn build(
        poor: Vec<Sourced<PoorHouseholdMember>>,
        dibao: Vec<Sourced<AssistanceEntry>>,
        tekun: Vec<Sourced<AssistanceEntry>>,
        urban: Vec<Sourced<AssistanceEntry>>,
        disabled: Vec<Sourced<DisabledPerson>>,
        on: NaiveDate,
    ) -> ListIndex {
        let mut index = ListIndex::new(on);
        poor.into_iter().for_each(|p| index.add_poor(p));
        for (kind, list) in [
            (ListKind::Dibao, dibao),
            (ListKind::Tekun, tekun),
            (ListKind::UrbanHardship, urban),
        ] {
            list.into_iter().for_each(|e| index.add_assistance(kind, e));
        }
        disabled.into_iter().for_each(|d| index.add_disabled(d));
        index
    }

    fn share(&mut self, text: &str) -> u32 {
        if let Some(ix) = self.text_ix.get(text) {
            return *ix;
        }
        let ix = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.texts.push(text.into());
        self.text_ix.insert(text.into(), ix);
        ix
    }

    fn text(&self, ix: u32) -> &str {
        self.texts.get(ix as usize).map_or("", |t| t)
    }

    /// Adds a registered-poor household member (a later row of the same person replaces it).
    pub fn add_poor(&mut self, p: Sourced<PoorHouseholdMember>) {
        self.members.take();
        let Some(key) = id_key(p.record.id.as_str()) else {
            return;
        };
        let r = p.record;
        let place = self.share(&[r.township.as_str(), r.village.as_str()].concat());
        let (name, household_no) = (self.keep(&r.name), self.keep(&r.household_no));
        self.poor.insert(
            key,
            Entry {
                import_id: narrow(p.import_id),
                row_no: narrow(p.row_no),
                name,
                fields: Poor {
                    household_no,
                    place,
                    status: r.status,
                    exit_year: r.exit_year,
                },
            },
        );
    }

    /// Adds a 低保, 特困供养 or 城镇困难家庭 entry (`kind`) if it is valid on the index's date.
    pub fn add_assistance(&mut self, kind: ListKind, e: Sourced<AssistanceEntry>) {
        self.members.take();
        let Some(key) = id_key(e.record.id.as_str()) else {
            return;
        };
        if !valid_on(&e.record, self.on) {
            return;
        }
        if !matches!(
            kind,
            ListKind::Dibao | ListKind::Tekun | ListKind::UrbanHardship
        ) {
            return;
        }
        let r = e.record;
        let name = self.keep(&r.name);
        let map = match kind {
            ListKind::Dibao => &mut self.dibao,
            ListKind::Tekun => &mut self.tekun,
            _ => &mut self.urban,
        };
        map.insert(
            key,
            Entry {
                import_id: narrow(e.import_id),
                row_no: narrow(e.row_no),
                name,
                fields: Assist {
                    area: r.area,
                    valid_from: r.valid_from,
                    valid_to: r.valid_to,
                },
            },
        );
    }

    /// Adds a disabled person.
    pub fn add_disabled(&mut self, d: Sourced<DisabledPerson>) {
        self.members.take();
        let Some(key) = id_key(d.record.id.as_str()) else {
            return;
        };
        let r = d.record;
        let category = self.share(&r.category);
        let (name, certificate_no) = (self.keep(&r.name), self.keep(&r.certificate_no));
        self.disabled.insert(
            key,
            Entry {
                import_id: narrow(d.import_id),
                row_no: narrow(d.row_no),
                name,
                fields: Disabled {
                    certificate_no,
                    category,
                    grade: r.grade,
                },
            },
        );
    }

    /// Every ID on any list, with the list it is on (for the "not in the registry" finding).
    pub fn people(&self) -> impl Iterator<Item = (u64, ListKind)> + '_ {
        let p = self.poor.keys().map(|k| (*k, ListKind::PoorHouseholds));
        let d = self.dibao.keys().map(|k| (*k, ListKind::Dibao));
        let t = self.tekun.keys().map(|k| (*k, ListKind::Tekun));
        let u = self.urban.keys().map(|k| (*k, ListKind::UrbanHardship));
        let x = self.disabled.keys().map(|k| (*k, ListKind::Disabled));
        p.chain(d).chain(t).chain(u).chain(x)
    }

    /// The ID number of a person on the lists, rebuilt from its key.
    pub fn id_of(&self, key: u64) -> Option<IdNumber> {
        id_of_key(key)
    }

    /// Name, import batch, row and a Chinese detail (household, village) of a person on `list`,
    /// so a finding can be followed up at the door, not only by ID number.
    pub fn describe(&self, key: u64, list: ListKind) -> Option<(String, i64, i64, String)> {
        let assist = |map: &FxHashMap<u64, Entry<Assist>>| {
            map.get(&key).map(|e| {
                let (import_id, row_no) = e.source();
                (
                    self.kept(e.name).to_string(),
                    import_id,
                    row_no,
                    validity(e),
                )
            })
        };
        match list {
            ListKind::PoorHouseholds => self.poor.get(&key).map(|p| {
                let place = self.text(p.fields.place);
                let (import_id, row_no) = p.source();
                (
                    self.kept(p.name).to_string(),
                    import_id,
                    row_no,
                    format!(
                        "户编号 {}{}",
                        self.kept(p.fields.household_no),
                        if place.is_empty() {
                            String::new()
                        } else {
                            format!("，{place}")
                        }
                    ),
                )
            }),
            ListKind::Dibao => assist(&self.dibao),
            ListKind::Tekun => assist(&self.tekun),
            ListKind::UrbanHardship => assist(&self.urban),
            ListKind::Disabled => self.disabled.get(&key).map(|d| {
                let (import_id, row_no) = d.source();
                (
                    self.kept(d.name).to_string(),
                    import_id,
                    row_no,
                    format!("残疾人证 {}", self.kept(d.fields.certificate_no)),
                )
            }),
            _ => None,
        }
    }

    /// The categories that apply to `id`, plus the school's own recognition `difficulty` from the
    /// registry row `registry` (import batch, row).
    pub fn categories(
        &self,
        id: &str,
        difficulty: Difficulty,
        registry: (i64, i64),
    ) -> Vec<MatchedCategory> {
        match id_key(id) {
            Some(key) => self.categories_of_key(key, difficulty, registry),
            None => Vec::new(),
        }
    }

    /// [`ListIndex::categories`] of the person whose [`id_key`] is `key` (computed once by a
    /// caller that needs it for more than this).
    pub fn categories_of_key(
        &self,
        key: u64,
        difficulty: Difficulty,
        registry: (i64, i64),
    ) -> Vec<MatchedCategory> {
        let mut out = Vec::new();
        let listed = self.members().may_contain(key);
        if !listed && difficulty == Difficulty::NotDifficult {
            return out;
        }
        if listed {
            self.listed_categories(key, &mut out);
        }
        if difficulty != Difficulty::NotDifficult {
            out.push(MatchedCategory {
                category: Category::SchoolRecognized,
                list: ListKind::Students,
                import_id: registry.0,
                row_no: registry.1,
                detail: format!("学校认定：{}", difficulty.zh()),
            });
        }
        out
    }

    /// The categories of the lists that name the person whose key is `key`.
    fn listed_categories(&self, key: u64, out: &mut Vec<MatchedCategory>) {
        let id = &key;
        if let Some(p) = self.poor.get(id) {
            let status = match p.fields.status {
                PovertyStatus::Exited => match p.fields.exit_year {
                    Some(y) => format!("已脱贫（{y}年）"),
                    None => "已脱贫".into(),
                },
                PovertyStatus::NotExited => "未脱贫".into(),
            };
            let (import_id, row_no) = p.source();
            out.push(MatchedCategory {
                category: Category::RegisteredPoor,
                list: ListKind::PoorHouseholds,
                import_id,
                row_no,
                detail: format!("户编号 {}，{}", self.kept(p.fields.household_no), status),
            });
        }
        for (map, kind, rural, urban) in [
            (
                &self.dibao,
                ListKind::Dibao,
                Category::DibaoRural,
                Category::DibaoUrban,
            ),
            (
                &self.tekun,
                ListKind::Tekun,
                Category::TekunRural,
                Category::TekunUrban,
            ),
        ] {
            if let Some(e) = map.get(id) {
                let category = if e.fields.area == Area::Rural {
                    rural
                } else {
                    urban
                };
                let (import_id, row_no) = e.source();
                out.push(MatchedCategory {
                    category,
                    list: kind,
                    import_id,
                    row_no,
                    detail: validity(e),
                });
            }
        }
        if let Some(e) = self.urban.get(id) {
            let (import_id, row_no) = e.source();
            out.push(MatchedCategory {
                category: Category::UrbanHardship,
                list: ListKind::UrbanHardship,
                import_id,
                row_no,
                detail: validity(e),
            });
        }
        if let Some(d) = self.disabled.get(id) {
            let grade = d.fields.grade.map(|g| format!("{g}级")).unwrap_or_default();
            let (import_id, row_no) = d.source();
            out.push(MatchedCategory {
                category: Category::Disabled,
                list: ListKind::Disabled,
                import_id,
                row_no,
                detail: format!(
                    "残疾人证 {}，{}{}",
                    self.kept(d.fields.certificate_no),
                    self.text(d.fields.category),
                    grade
                ),
            });
        }
    }

    /// Is `id` on the poverty list with an exited household?
    pub fn poor_exited(&self, id: &str) -> bool {
        id_key(id).is_some_and(|key| self.poor_exited_of_key(key))
    }

    /// [`ListIndex::poor_exited`] of the person whose [`id_key`] is `key`.
    pub fn poor_exited_of_key(&self, key: u64) -> bool {
        self.poor
            .get(&key)
            .is_some_and(|p| p.fields.status == PovertyStatus::Exited)
    }
}

/// Sets the category facts from matched categories.
pub fn apply_categories(f: &mut FactInput, cats: &[MatchedCategory], poor_exited: bool) {
    for c in cats {
        match c.category {
            Category::RegisteredPoor => {
                f.poor_household = true;
                f.poor_exited = poor_exited;
            }
            Category::DibaoRural => f.dibao_rural = true,
            Category::DibaoUrban => f.dibao_urban = true,
            Category::TekunRural => f.tekun_rural = true,
            Category::TekunUrban => f.tekun_urban = true,
            Category::UrbanHardship => f.urban_hardship = true,
            Category::Disabled => f.disability_certificate = true,
            Category::SchoolRecognized => {}
        }
    }
}

/// The facts of a college admittee of the year (二(一)3): admitted, whether the college is in
/// the county's province, the school's recognition from the newest registry record up to the
/// term (`difficulty`), and the categories. Compute and explain both use it.
pub fn admission_facts(
    college_province: &str,
    province: &str,
    difficulty: Difficulty,
    cats: &[MatchedCategory],
    poor_exited: bool,
) -> FactInput {
    let mut fi = FactInput {
        college_admitted: true,
        college_in_province: same_province(college_province, province),
        difficulty: Some(difficulty),
        full_time: true,
        ..FactInput::default()
    };
    apply_categories(&mut fi, cats, poor_exited);
    fi
}

/// The facts of a student in the registry, at a school (or an unknown school), with categories.
pub fn student_facts(
    rec: &StudentRecord,
    school: Option<&School>,
    cats: &[MatchedCategory],
    poor_exited: bool,
) -> FactInput {
    let stage = school.and_then(|s| stage_of(s.kind, rec.grade));
    let mut f = FactInput {
        stage: stage.map(|s| s.0),
        year_of_stage: stage.map(|s| s.1).unwrap_or(0),
        school_kind: school.map(|s| s.kind),
        school_public: school.is_some_and(|s| s.public),
        inclusive_kindergarten: school.is_some_and(|s| s.inclusive),
        approval_level: school.map(|s| s.approval_level),
        status: Some(rec.status),
        difficulty: Some(rec.difficulty),
        hukou: rec.hukou,
        boarding: rec.boarding,
        special_class: rec.special_class,
        regular_class_inclusion: rec.regular_class_inclusion,
        agri_major: rec.agri_major,
        full_time: rec.full_time,
        ..FactInput::default()
    };
    apply_categories(&mut f, cats, poor_exited);
    f
}

/// Is the college's province the policy's province? Both are read as province names
/// (`江西`, `江西省`, `江西省南昌市` are the same); an unrecognised name is never the same.
pub fn same_province(college_province: &str, policy_province: &str) -> bool {
    use zizhu_domain::ids::province_by_name;
    match (
        province_by_name(college_province),
        province_by_name(policy_province),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn id(first17: &str) -> IdNumber {
        let check = zizhu_domain::ids::check_char(first17).unwrap_or('0');
        IdNumber::from_stored(&format!("{first17}{check}")).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn an_id_is_rebuilt_exactly_from_its_key() {
        // Resident IDs (one with check character X), a Hong Kong residents' residence permit,
        // a leading zero cannot occur in an address code but the key keeps 17 digits anyway.
        for first17 in [
            "36073120110305123",
            "11010519491231002",
            "81000019900101123",
            "36073120120615246",
        ] {
            let original = id(first17);
            let key = id_key(original.as_str()).unwrap_or_default();
            assert_eq!(id_of_key(key).as_ref(), Some(&original), "{first17}");
        }
        assert_eq!(
            id_of_key(11010519491231002).map(|i| i.as_str().to_string()),
            Some("11010519491231002X".into())
        );
    }

    #[test]
    fn the_index_keeps_the_later_row_and_only_valid_entries() {
        let person = id("36073120110305123");
        let poor = |row_no: i64, household: &str| Sourced {
            import_id: 1,
            row_no,
            record: PoorHouseholdMember {
                household_no: household.into(),
                id: person.clone(),
                name: "甲演一".into(),
                relation: "子".into(),
                status: PovertyStatus::Exited,
                exit_year: Some(2019),
                township: "贡江镇".into(),
                village: "演示村".into(),
            },
        };
        let dibao = |row_no: i64, to: NaiveDate| Sourced {
            import_id: 2,
            row_no,
            record: AssistanceEntry {
                id: person.clone(),
                name: "甲演一".into(),
                area: Area::Rural,
                valid_from: Some(d(2020, 1, 1)),
                valid_to: Some(to),
            },
        };
        let on = d(2023, 10, 1);
        let index = ListIndex::build(
            vec![poor(2, "H-1"), poor(5, "H-2")],
            vec![dibao(3, d(2022, 12, 31))],
            vec![],
            vec![],
            vec![],
            on,
        );
        let cats = index.categories(person.as_str(), Difficulty::NotDifficult, (0, 0));
        // The dibao entry expired before the reference date; the second poor row counts.
        assert_eq!(cats.len(), 1);
        assert_eq!(
            (cats[0].row_no, cats[0].detail.as_str()),
            (5, "户编号 H-2，已脱贫（2019年）")
        );
        assert!(index.poor_exited(person.as_str()));
        let key = id_key(person.as_str()).unwrap_or_default();
        assert_eq!(
            index.people().collect::<Vec<_>>(),
            [(key, ListKind::PoorHouseholds)]
        );
        assert_eq!(
            index.describe(key, ListKind::PoorHouseholds),
            Some(("甲演一".into(), 1, 5, "户编号 H-2，贡江镇演示村".into()))
        );
        assert_eq!(index.id_of(key), Some(person));
    }

    #[test]
    fn the_membership_filter_never_misses_a_member() {
        // A bit set for every key put in (never a miss, or a listed student would lose a
        // category); most other keys find their bit clear (the filter saves the map lookups).
        let key = |i: u64| 360_731_2011_0305_000 + i * 7919;
        let members = Members::new((0..100_000).map(key), 100_000);
        assert!((0..100_000).all(|i| members.may_contain(key(i))));
        let others = (100_000..200_000)
            .filter(|&i| members.may_contain(key(i)))
            .count();
        assert!(
            others < 10_000,
            "{others} of 100,000 others pass the filter"
        );
        // An empty index: a filter of 64 bits, every lookup answered without a map.
        let empty = Members::new(std::iter::empty(), 0);
        assert!(!empty.may_contain(key(1)));
    }

    #[test]
    fn a_damaged_row_count_is_not_reserved() {
        // The sizes come from stored row counts; an absurd one must neither panic nor abort.
        let mut index = ListIndex::new(d(2023, 10, 1));
        for kind in ListKind::ALL {
            index.reserve(*kind, usize::MAX);
        }
        assert!(index.people().next().is_none());
    }

    #[test]
    fn an_entry_added_after_a_lookup_is_found() {
        // The filter is made on the first lookup; adding an entry afterwards must remake it.
        let on = d(2023, 10, 1);
        let person = id("36073120110305123");
        let mut index = ListIndex::build(vec![], vec![], vec![], vec![], vec![], on);
        assert!(index
            .categories(person.as_str(), Difficulty::NotDifficult, (0, 0))
            .is_empty());
        index.add_disabled(Sourced {
            import_id: 4,
            row_no: 2,
            record: DisabledPerson {
                id: person.clone(),
                name: "甲演一".into(),
                certificate_no: "36073120110305123X41".into(),
                category: "肢体".into(),
                grade: Some(4),
            },
        });
        let cats = index.categories(person.as_str(), Difficulty::NotDifficult, (0, 0));
        assert_eq!(
            cats.iter().map(|c| c.category).collect::<Vec<_>>(),
            [Category::Disabled]
        );
    }

    #[test]
    fn province_names_match_loosely() {
        assert!(same_province("江西", "江西省"));
        assert!(same_province("江西省", "江西省"));
        assert!(same_province("江西省南昌市", "江西省"));
        assert!(!same_province("湖南省", "江西省"));
        assert!(!same_province("", "江西省"));
    }
}
