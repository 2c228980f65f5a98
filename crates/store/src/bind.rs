//! Cheap bind values for bulk writes: enum keys as clones of shared `Arc<str>`s (a reference
//! count, no allocation), which sqlx binds as is on SQLite.

use std::sync::{Arc, LazyLock};
use zizhu_domain::{
    ApprovalLevel, Area, Category, Difficulty, ListKind, PovertyStatus, SchoolKind, Sex, Status,
};

/// For each enum, a function giving the shared `Arc<str>` of a value's `key()`.
macro_rules! interned_keys {
    ($($f:ident: $t:ty),* $(,)?) => {$(
        #[doc = concat!("The key of a [`", stringify!($t), "`] as a shared bind value.")]
        pub(crate) fn $f(v: $t) -> Arc<str> {
            static KEYS: LazyLock<Vec<($t, Arc<str>)>> =
                LazyLock::new(|| <$t>::ALL.iter().map(|&x| (x, Arc::from(x.key()))).collect());
            KEYS.iter()
                .find(|(x, _)| *x == v)
                .map(|(_, a)| Arc::clone(a))
                .unwrap_or_else(|| Arc::from(v.key()))
        }
    )*};
}

interned_keys!(
    area: Area,
    status: Status,
    difficulty: Difficulty,
    sex: Sex,
    school_kind: SchoolKind,
    approval_level: ApprovalLevel,
    poverty_status: PovertyStatus,
    category: Category,
    list_kind: ListKind,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_shared_and_right() {
        let a = status(Status::Enrolled);
        let b = status(Status::Enrolled);
        assert_eq!(&*a, "enrolled");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*difficulty(Difficulty::NotDifficult), "not_difficult");
    }
}
