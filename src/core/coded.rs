//! Closed sets stored as numbers: an event's type, a message's status and
//! kind. Each value is shown by its name and stored as its number, one
//! byte of a row and of an index entry where the name took up to twenty.
//! A number, once stored, never changes meaning: a new value takes the next.

/// A closed set whose values are stored as the numbers 1, 2, … in the
/// order of [`Coded::ALL`].
pub trait Coded: Copy + Eq + Sized + 'static {
    /// Every value, in the order of their numbers.
    const ALL: &'static [Self];

    /// The numbers a stored value may hold: `check` holds a column to them.
    const CODES: (i64, i64) = (1, Self::ALL.len() as i64);

    /// The number stored.
    fn code(self) -> i64;

    /// The name shown (JSON, the CLI, webhooks) and taken as a filter.
    fn name(self) -> &'static str;

    /// The value a stored number stands for.
    fn from_code(code: i64) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }

    /// The value of a name, exactly as shown.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }
}

/// Declares a closed set stored as numbers: the enum, each value's name
/// and number written once, side by side; its `ALL`, `NAMES`, `as_str` and
/// `code`; and its [`Coded`].
macro_rules! coded {
    ($(#[$meta:meta])* pub enum $ty:ident {
        $($value:ident => $name:literal = $code:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $ty {
            $($value,)+
        }

        impl $ty {
            /// Every value, in the order of their numbers.
            pub const ALL: &'static [$ty] = &[$($ty::$value),+];

            /// Their names, in [`Self::ALL`]'s order.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// The name shown, and taken as a filter.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($ty::$value => $name,)+
                }
            }

            /// The number stored.
            pub const fn code(self) -> i64 {
                match self {
                    $($ty::$value => $code,)+
                }
            }
        }

        impl $crate::core::Coded for $ty {
            const ALL: &'static [$ty] = $ty::ALL;

            fn code(self) -> i64 {
                $ty::code(self)
            }

            fn name(self) -> &'static str {
                self.as_str()
            }
        }
    };
}
pub(crate) use coded;

/// Every value of `T` numbered 1, 2, … in the order of `ALL`, each with a
/// name of its own (the tests of each set call it).
#[cfg(test)]
pub(crate) fn assert_numbered_in_order<T: Coded + std::fmt::Debug>() {
    for (i, v) in T::ALL.iter().enumerate() {
        assert_eq!(v.code(), i as i64 + 1, "{v:?}");
        assert_eq!(T::from_code(v.code()), Some(*v));
        assert_eq!(T::from_name(v.name()), Some(*v));
    }
    assert_eq!(T::from_code(0), None);
    assert_eq!(T::from_code(T::CODES.1 + 1), None);
}
