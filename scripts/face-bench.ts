/** Prints face_ms_720p and resident memory. Run: npx tsx scripts/face-bench.ts [runs] */
import { measureFaceSpeed } from '../bench/faceSpeed';

void measureFaceSpeed(Number(process.argv[2] ?? 30)).then((r) => console.log(JSON.stringify(r)));
