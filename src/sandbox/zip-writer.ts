import { crc32, deflateRawSync } from 'node:zlib';
import { formatShanghai } from '../shared/time.ts';

/**
 * A minimal zip writer for the sandbox's statement files. Hand-made rather than a library's
 * because the channels' archives name their files in the bytes the channel chooses — Alipay's in
 * GBK without the UTF-8 flag — which zip libraries do not let a caller do. Deflate only, no zip64:
 * statements are small.
 */
export interface ZipEntry {
  /** The file name exactly as stored (e.g. GBK bytes). */
  name: Buffer;
  data: Buffer;
  /** Modification time, stored as Beijing wall time (DOS format has no zone). */
  modifiedAt: Date;
}

function dosTime(d: Date): { time: number; date: number } {
  const [y, mo, da, h, mi, s] = formatShanghai(d).split(/[- :]/).map(Number) as [number, number, number, number, number, number];
  return { time: (h << 11) | (mi << 5) | (s >> 1), date: ((y - 1980) << 9) | (mo << 5) | da };
}

export function writeZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const packed = deflateRawSync(e.data);
    const crc = crc32(e.data);
    const { time, date } = dosTime(e.modifiedAt);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0, 6); // flags: no UTF-8 flag, no data descriptor
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(e.name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    local.copy(central, 8, 6, 30); // flags … name length, extra length
    central.writeUInt16LE(0, 32); // comment length
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(0, 38); // external attributes
    central.writeUInt32LE(offset, 42);
    locals.push(local, e.name, packed);
    centrals.push(central, e.name);
    offset += local.length + e.name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
