//! Enums shared between classes. Enum names are global: a class may list
//! an enum that another class defines (the resolver checks that the values
//! agree). Each enum has one home, the first class in API order that lists
//! it, and that listing is the one every consumer defines.

use super::{Api, ClassId, EnumDef};
use std::collections::HashSet;

impl Api {
    /// Every enum once, with its home class: classes in API order, each
    /// class's enums in schema order.
    pub fn unique_enums(&self) -> impl Iterator<Item = (ClassId, &EnumDef)> {
        self.classes
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.enums.iter().filter(|e| e.home).map(move |e| (ClassId(i as u32), e)))
    }

    /// The class an enum is defined in, if the API has the enum.
    pub fn enum_home(&self, name: &str) -> Option<ClassId> {
        self.unique_enums().find(|(_, e)| e.name == name).map(|(c, _)| c)
    }

    /// Marks the home listing of each enum: the first class that lists it.
    /// Run whenever classes are added or left out, since the home of an
    /// enum may then move to another class that lists it.
    pub(crate) fn settle_enum_homes(&mut self) {
        let mut seen = HashSet::new();
        for c in &mut self.classes {
            for e in &mut c.enums {
                e.home = seen.insert(e.name.clone());
            }
        }
    }
}
