//! `choices!`: an enum whose variants are written in JSON as fixed names, declared once for
//! serde, for the policy's "one of …" errors and for `as_str`.

/// Declares a `Copy` enum with one JSON name per variant. It derives `Serialize` and
/// `Deserialize` with exactly those names, and gives the type `NAMES` (the names and
/// variants in declaration order, what a policy error lists) and `as_str`.
macro_rules! choices {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )*
        }

        impl $name {
            /// Every variant with its JSON name, in declaration order.
            pub const NAMES: &'static [(&'static str, $name)] = &[$(($text, $name::$variant)),*];

            /// The JSON name, as serde writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )*
                }
            }
        }
    };
}
