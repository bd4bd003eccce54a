import { parseArgs } from 'node:util';
import { loadProfiles } from '../config/profiles.js';
import { detectHardware } from '../hardware/detect.js';
import { classifyHardware, profileFits, selectProfile } from '../hardware/select-profile.js';
import { createLogger } from '../logger.js';
import { reportFailure } from './start.js';

const HELP = `Usage: embedhost profiles [--json]

Lists every hardware profile, whether it fits this machine, and marks the one \`start\` would pick.`;

export async function runProfiles(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  try {
    const profiles = loadProfiles();
    const facts = await detectHardware();
    let chosen: string | undefined;
    let reason: string;
    try {
      const choice = selectProfile(profiles, facts);
      chosen = choice.profile.name;
      reason = choice.reason;
    } catch (error) {
      reason = (error as Error).message;
    }
    const rows = profiles.map((profile) => ({ ...profileFits(profile, facts), chosen: profile.name === chosen }));
    if (values.json) {
      console.log(JSON.stringify({ hardware: classifyHardware(facts), chosen: chosen ?? null, reason, profiles: rows.map(({ profile, fits, why, chosen: c }) => ({ ...profile, fits, why, chosen: c })) }, null, 2));
      return 0;
    }
    console.log(`This machine: ${classifyHardware(facts).map((c) => c.description).join('; ')}`);
    console.log(`Chosen: ${chosen ?? 'none'} (${reason})\n`);
    const table = rows.map(({ profile, fits, why, chosen: c }) => [
      `${c ? '*' : ' '} ${profile.name}`,
      `${profile.hardware.accelerator} ≥${profile.hardware.minMemoryGiB} GiB`,
      `${profile.model}${profile.mmproj === 'none' ? '' : ` + mmproj (${profile.mmproj})`}`,
      `~${profile.memory.totalGiB} GiB`,
      fits ? 'fits' : `does not fit: ${why}`,
    ]);
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
    return 0;
  } catch (error) {
    return reportFailure(error, createLogger());
  }
}
