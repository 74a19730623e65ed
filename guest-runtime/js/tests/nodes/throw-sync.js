export default function run() { throw new RangeError("thrown before any await"); }
