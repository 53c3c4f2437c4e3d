//! Memory: a few named [`Region`]s of bytes at plausible canonical addresses, shared between frames.
//!
//! Each region's bytes sit behind an `Rc`, so a snapshot of the whole memory is a few pointer copies and a write
//! copies only the region it touches (`Rc::make_mut`). Any address outside every region is unmapped: reading or
//! writing it is a [`Fault`], which the kernel turns into -EFAULT and user code into a segmentation fault.

use std::rc::Rc;

/// What a region holds, for the memory view and for access checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegionKind {
    UserCode,
    UserData,
    UserStack,
    Vdso,
    KernelCode,
    PerCpu,
    KernelStack,
}

impl RegionKind {
    /// Whether ring 3 may touch it (the page tables' U/S bit).
    pub fn user_accessible(self) -> bool {
        matches!(self, RegionKind::UserCode | RegionKind::UserData | RegionKind::UserStack | RegionKind::Vdso)
    }

    /// Whether it may be written (code pages are read-only).
    pub fn writable(self) -> bool {
        !matches!(self, RegionKind::UserCode | RegionKind::KernelCode | RegionKind::Vdso)
    }
}

/// A contiguous mapped range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub name: &'static str,
    pub kind: RegionKind,
    pub base: u64,
    pub bytes: Rc<Vec<u8>>,
}

impl Region {
    /// One past the last mapped byte.
    pub fn end(&self) -> u64 {
        self.base + self.bytes.len() as u64
    }

    /// Whether `addr` lies inside.
    pub fn contains(&self, addr: u64) -> bool {
        addr >= self.base && addr < self.end()
    }
}

/// An access to an address that is not mapped, or not mapped for this kind of access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The first byte that could not be accessed.
    pub addr: u64,
    /// The access was a write.
    pub write: bool,
}

/// Who is accessing memory: the page tables let the kernel touch everything mapped, user code only user pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    User,
    Kernel,
    /// Ring 0 while CR3 still (or already) points at the user page tables of a PTI kernel: user pages and the few
    /// kernel pages both sets of tables map ([`super::layout::mapped_in_user_tables`]); the rest of the kernel is
    /// not there.
    KernelOnUserTables,
}

/// All mapped memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    regions: Vec<Region>,
}

impl Memory {
    /// Adds a zero-filled region. Regions must not overlap; overlapping ones are ignored (the first wins).
    pub fn map(&mut self, name: &'static str, kind: RegionKind, base: u64, len: usize) {
        let end = base.saturating_add(len as u64);
        if self.regions.iter().any(|region| base < region.end() && region.base < end) {
            return;
        }
        self.regions.push(Region { name, kind, base, bytes: Rc::new(vec![0; len]) });
        self.regions.sort_by_key(|region| region.base);
    }

    /// The regions, lowest address first.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    fn check(&self, addr: u64, access: Access, write: bool) -> Result<(usize, usize), Fault> {
        let fault = Fault { addr, write };
        let region_idx = self.regions.iter().position(|region| region.contains(addr)).ok_or(fault)?;
        let region = &self.regions[region_idx];
        if access == Access::User && !region.kind.user_accessible() {
            return Err(fault);
        }
        if access == Access::KernelOnUserTables
            && !region.kind.user_accessible()
            && !super::layout::mapped_in_user_tables(addr)
        {
            return Err(fault);
        }
        if write && !region.kind.writable() {
            return Err(fault);
        }
        Ok((region_idx, (addr - region.base) as usize))
    }

    /// Reads one byte.
    pub fn read_u8(&self, addr: u64, access: Access) -> Result<u8, Fault> {
        let (region_idx, offset) = self.check(addr, access, false)?;
        Ok(self.regions[region_idx].bytes[offset])
    }

    /// Writes one byte.
    pub fn write_u8(&mut self, addr: u64, value: u8, access: Access) -> Result<(), Fault> {
        let (region_idx, offset) = self.check(addr, access, true)?;
        Rc::make_mut(&mut self.regions[region_idx].bytes)[offset] = value;
        Ok(())
    }

    /// Reads `len` bytes, failing at the first inaccessible byte.
    pub fn read_bytes(&self, addr: u64, len: usize, access: Access) -> Result<Vec<u8>, Fault> {
        (0..len as u64).map(|offset| self.read_u8(addr.wrapping_add(offset), access)).collect()
    }

    /// Writes bytes one by one, as a copy loop does: on a fault, the bytes before it are already written.
    /// Returns how many were written before the fault, with the fault.
    pub fn write_bytes(&mut self, addr: u64, bytes: &[u8], access: Access) -> Result<(), (usize, Fault)> {
        for (offset, byte) in bytes.iter().enumerate() {
            self.write_u8(addr.wrapping_add(offset as u64), *byte, access).map_err(|fault| (offset, fault))?;
        }
        Ok(())
    }

    /// Reads a little-endian value of 1, 4 or 8 bytes.
    pub fn read_le(&self, addr: u64, n_bytes: usize, access: Access) -> Result<u64, Fault> {
        let bytes = self.read_bytes(addr, n_bytes, access)?;
        Ok(bytes.iter().rev().fold(0, |acc, byte| (acc << 8) | u64::from(*byte)))
    }

    /// Writes a little-endian value of 1, 4 or 8 bytes. The whole access is checked first, so a fault writes nothing.
    pub fn write_le(&mut self, addr: u64, value: u64, n_bytes: usize, access: Access) -> Result<(), Fault> {
        for offset in 0..n_bytes as u64 {
            self.check(addr.wrapping_add(offset), access, true)?;
        }
        let bytes: Vec<u8> = (0..n_bytes).map(|idx| (value >> (8 * idx)) as u8).collect();
        self.write_bytes(addr, &bytes, access).map_err(|(_, fault)| fault)
    }

    /// Writes bytes regardless of permissions (loading the program image, setting up a scenario).
    pub fn load(&mut self, addr: u64, bytes: &[u8]) {
        for (offset, byte) in bytes.iter().enumerate() {
            let target = addr.wrapping_add(offset as u64);
            if let Some(region) = self.regions.iter_mut().find(|region| region.contains(target)) {
                let idx = (target - region.base) as usize;
                Rc::make_mut(&mut region.bytes)[idx] = *byte;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_cannot_touch_kernel_pages() {
        let mut memory = Memory::default();
        memory.map("kstack", RegionKind::KernelStack, 0xffff_c900_0000_0000, 64);
        assert!(memory.read_u8(0xffff_c900_0000_0000, Access::User).is_err());
        assert!(memory.read_u8(0xffff_c900_0000_0000, Access::Kernel).is_ok());
    }

    #[test]
    fn little_endian_round_trip_and_sharing() {
        let mut memory = Memory::default();
        memory.map("data", RegionKind::UserData, 0x1000, 32);
        let snapshot = memory.clone();
        memory.write_le(0x1008, 0x1122_3344_5566_7788, 8, Access::User).unwrap();
        assert_eq!(memory.read_le(0x1008, 8, Access::User).unwrap(), 0x1122_3344_5566_7788);
        assert_eq!(memory.read_u8(0x1008, Access::User).unwrap(), 0x88);
        assert_eq!(snapshot.read_le(0x1008, 8, Access::User).unwrap(), 0, "a snapshot is not changed by later writes");
    }

    #[test]
    fn partial_copy_stops_at_the_fault() {
        let mut memory = Memory::default();
        memory.map("data", RegionKind::UserData, 0x1000, 4);
        let err = memory.write_bytes(0x1002, b"abcd", Access::Kernel).unwrap_err();
        assert_eq!(err.0, 2);
        assert_eq!(err.1.addr, 0x1004);
    }
}
