// The marriage station (role assembly): scan the VIN of the body at the station → its build sheet (the
// model's slots from the catalog); scan each motor → it lands in the next slot (tile green with the serial)
// or the same full-screen refusal as the dock, in words; a motor comes out with its reason. Installs are
// decided live by the server: with no network nothing is installed, and the screen says so.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { ApiError, api } from '../api.js';
import { newId, setting, siteOf } from '../dock/device.js';
import { DeviceSetting } from '../dock/device-setting.js';
import { HandheldHeader, WrongToken } from '../dock/header.js';
import { SERIAL } from '../dock/intake-codes.js';
import { signal } from '../dock/sounds.js';
import { ScanField, type Verdict, VerdictPanel } from '../dock/verdict.js';
import { currentSession } from '../session.js';
import { ProblemBox } from '../ui/problem.js';
import { BuildSheet, RemovalForm, type SlotView, slotWords } from './build-sheet.js';
import { PickList } from './pick-list.js';
import { explainStation, VIN } from './station-codes.js';
import {
  type Catalog,
  modelFromVin,
  refusal,
  useCatalog,
  useOnline,
  type VehicleRead,
} from './station-data.js';
import './station.css';

const READING = 'Reading the VIN…';

export default function StationPage() {
  const { params } = useRoute();
  const vin = params.vin ? decodeURIComponent(params.vin) : undefined;
  const session = currentSession();
  const site = siteOf(session?.sites ?? []);
  const online = useOnline();
  const { catalog, error } = useCatalog();
  const [station, setStation] = useState(setting('station'));

  useEffect(() => {
    document.title = vin ? `Station · ${vin}` : 'Station · scan the VIN';
  }, [vin]);

  const header = (
    <HandheldHeader
      where={`${site ?? ''} · ${station ? `Station ${station}` : 'Marriage station'}`}
      online={online}
    />
  );
  if (!site || !session?.roles.includes('assembly')) {
    return (
      <div class="handheld station">
        {header}
        <WrongToken screen="marriage station" needs="assembly" />
      </div>
    );
  }
  return (
    <div class="handheld station">
      {header}
      <main id="main" class="hh-body">
        {!catalog ? (
          error ? (
            <ProblemBox error={error} />
          ) : (
            <p>Reading the catalog…</p>
          )
        ) : !station ? (
          <>
            <h1>Marriage station</h1>
            <DeviceSetting
              name="station"
              label="This screen serves station"
              placeholder="MAR-01"
              onSet={setStation}
              startLabel="Start"
            />
          </>
        ) : vin ? (
          <VehicleScreen key={vin} vin={vin} catalog={catalog} station={station} site={site} />
        ) : (
          <VinScreen />
        )}
      </main>
    </div>
  );
}

function VinScreen() {
  const { route } = useLocation();
  const [verdict, setVerdict] = useState<Verdict>({
    tone: 'idle',
    word: 'Scan the VIN',
    instruction: 'The build sheet of the body at the station opens.',
  });
  return (
    <>
      <h1 class="visually-hidden">Marriage station: scan the VIN</h1>
      <VerdictPanel verdict={verdict} />
      <ScanField
        id="vin-scan"
        name="vin"
        label="Scan the VIN of the body"
        placeholder="VIN"
        onScan={(value) => {
          if (VIN.test(value)) route(`/station/${value}`);
          else {
            setVerdict({ tone: 'bad', word: 'NOT A VIN', serial: value, ...explainStation('NOT_A_VIN') });
            signal('bad');
          }
        }}
      />
    </>
  );
}

function VehicleScreen({
  vin,
  catalog,
  station,
  site,
}: {
  vin: string;
  catalog: Catalog;
  station: string;
  site: string;
}) {
  const { route } = useLocation();
  const [read, setRead] = useState<VehicleRead | 'new' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [chosenModel, setChosenModel] = useState(() => modelFromVin(vin, catalog));
  const [picked, setPicked] = useState<string | null>(null);
  const [removing, setRemoving] = useState<SlotView | null>(null);
  const [busy, setBusy] = useState(false);
  const [verdict, setVerdict] = useState<Verdict>({ tone: 'idle', word: READING });
  /** Bumped after each install or removal (and each refusal): the pick list reads the buffer again. */
  const [bufferRead, setBufferRead] = useState(0);
  const scanRef = useRef<HTMLInputElement>(null);

  const load = async (): Promise<VehicleRead | 'new' | null> => {
    try {
      const r = await api<VehicleRead>(`/v1/vehicles/${vin}`);
      setRead(r);
      setError(null);
      return r;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNKNOWN_VEHICLE') {
        setRead('new');
        return 'new';
      }
      setError(err);
      return null;
    }
  };

  const model = read && read !== 'new' ? read.vehicle.model : chosenModel;
  const spec = model ? catalog.models[model] : undefined;
  const filled = new Map(read && read !== 'new' ? read.slots.map((s) => [s.slot, s.serial]) : []);
  const slots: SlotView[] = spec
    ? Object.entries(spec.slots).map(([slot, type]) => ({ slot, type, serial: filled.get(slot) ?? null }))
    : [];
  const empty = slots.filter((s) => !s.serial);
  const active = empty.find((s) => s.slot === picked) ?? empty[0] ?? null;
  const shipped = read !== null && read !== 'new' && read.vehicle.status === 'SHIPPED';

  const nextStep = (left: SlotView[]): Verdict =>
    shipped
      ? {
          tone: 'info',
          word: 'SHIPPED',
          instruction: 'This vehicle has left: its motors can no longer change.',
        }
      : left.length === 0
        ? { tone: 'info', word: 'COMPLETE', instruction: 'Every slot is filled. Scan the next VIN.' }
        : {
            tone: 'idle',
            word: `Scan the ${left[0]!.type}`,
            instruction: `for ${slotWords(left[0]!.slot).toLowerCase()} (${left[0]!.slot})`,
          };

  /** The first word on the screen once the VIN is read, unless a scan already put its own verdict there. */
  const firstVerdict = (v: Verdict) => setVerdict((now) => (now.word === READING ? v : now));
  useEffect(() => {
    void load().then((r) => {
      if (r === null) return;
      const m = r === 'new' ? chosenModel : r.vehicle.model;
      const sp = catalog.models[m];
      if (!sp) {
        firstVerdict({ tone: 'idle', word: 'Choose the model', instruction: 'Then scan the first motor.' });
        return;
      }
      const have = new Set(r === 'new' ? [] : r.slots.filter((s) => s.serial).map((s) => s.slot));
      const left = Object.entries(sp.slots)
        .filter(([s]) => !have.has(s))
        .map(([slot, type]) => ({ slot, type, serial: null }));
      firstVerdict(
        r !== 'new' && r.vehicle.status === 'SHIPPED'
          ? {
              tone: 'info',
              word: 'SHIPPED',
              instruction: 'This vehicle has left: its motors can no longer change.',
            }
          : nextStep(left),
      );
    });
  }, [vin]);

  const install = async (serial: string) => {
    if (!spec || !model) {
      setVerdict({
        tone: 'bad',
        word: 'NO MODEL',
        serial,
        instruction: 'Choose the model of this VIN first.',
      });
      signal('bad');
      return;
    }
    if (!active) {
      setVerdict({
        tone: 'bad',
        word: 'NO FREE SLOT',
        serial,
        headline: 'Every slot is filled',
        instruction: 'Remove a motor first (Remove… on its tile), or scan the next VIN.',
      });
      signal('bad');
      return;
    }
    setVerdict({ tone: 'busy', word: 'Installing…', serial });
    try {
      await api(`/v1/vehicles/${vin}/motors`, {
        body: { id: newId(), serial, model, slot: active.slot, station, time: new Date().toISOString() },
      });
      const left = empty.filter((s) => s.slot !== active.slot);
      setRead({
        vehicle:
          read && read !== 'new' ? read.vehicle : { vin, model, brand: spec.brand, site: '', status: '' },
        slots: slots.map((s) => ({ slot: s.slot, serial: s.slot === active.slot ? serial : s.serial })),
      });
      setPicked(null);
      const next = nextStep(left);
      setVerdict({
        tone: 'ok',
        word: 'INSTALLED',
        serial,
        headline: `In ${slotWords(active.slot).toLowerCase()} (${active.slot})`,
        instruction:
          left.length === 0 ? 'Every slot is filled.' : `Next: the ${left[0]!.type} ${next.instruction}.`,
      });
      signal('ok');
      void load();
    } catch (err) {
      setVerdict(refusal(err, serial, active.type));
      signal('bad');
      if (err instanceof ApiError && err.code === 'SLOT_OCCUPIED') void load();
    } finally {
      setBufferRead((n) => n + 1);
    }
  };

  const remove = async (slot: SlotView, reason: string) => {
    setBusy(true);
    try {
      await api(`/v1/vehicles/${vin}/motors/${slot.serial}/removal`, {
        body: { id: newId(), reason, time: new Date().toISOString() },
      });
      setVerdict({
        tone: 'info',
        word: 'REMOVED',
        serial: slot.serial ?? undefined,
        headline: `Out of ${slotWords(slot.slot).toLowerCase()}: ${reason}`,
        instruction: `Take it to rework. Scan the replacement ${slot.type}.`,
      });
      signal('ok');
      setPicked(slot.slot);
      setRemoving(null);
      await load();
    } catch (err) {
      setVerdict(refusal(err, slot.serial ?? undefined));
      signal('bad');
      setRemoving(null);
      void load();
    } finally {
      setBusy(false);
      setBufferRead((n) => n + 1);
      scanRef.current?.focus();
    }
  };

  const filledCount = slots.length - empty.length;
  return (
    <>
      <h1 class="visually-hidden">Build sheet of {vin}</h1>
      <section class="hh-bar" aria-label="Vehicle">
        <div class="hh-bar-top">
          <span class="hh-bar-title mono" data-testid="vin">
            {vin}
          </span>
          <a href="/station" class="hh-bar-link">
            Next VIN
          </a>
        </div>
        <p class="counts">
          {read === 'new' ? (
            <span class="setting">
              <label for="model">Model</label>
              <select id="model" value={chosenModel} onChange={(e) => setChosenModel(e.currentTarget.value)}>
                <option value="">choose…</option>
                {Object.entries(catalog.models).map(([code, m]) => (
                  <option key={code} value={code}>
                    {m.name} ({code})
                  </option>
                ))}
              </select>
              <span class="muted">
                {chosenModel && chosenModel === modelFromVin(vin, catalog) ? 'read from the VIN; ' : ''}new
                vehicle: the first motor starts it as this model
              </span>
            </span>
          ) : read ? (
            <span>
              <strong>{spec?.name ?? model}</strong> ({model}) ·{' '}
              {read.vehicle.status.toLowerCase().replaceAll('_', ' ')}
            </span>
          ) : null}
          {spec && (
            <span>
              <span class="big" data-testid="filled">
                {filledCount} / {slots.length}
              </span>{' '}
              slots filled
            </span>
          )}
        </p>
        {error !== null && <ProblemBox error={error} />}
      </section>

      <div class="station-work">
        <div class="station-main">
          {spec && (
            <BuildSheet
              slots={slots}
              active={active?.slot ?? null}
              locked={shipped || removing !== null}
              onPick={(s) => {
                setPicked(s);
                scanRef.current?.focus();
              }}
              onRemove={setRemoving}
            />
          )}

          {removing ? (
            <RemovalForm
              slot={removing}
              busy={busy}
              onConfirm={(reason) => void remove(removing, reason)}
              onCancel={() => {
                setRemoving(null);
                scanRef.current?.focus();
              }}
            />
          ) : (
            <VerdictPanel verdict={verdict} />
          )}

          {removing ? null : (
            <ScanField
              id="scan"
              name="serial"
              label={
                active
                  ? `Scan the motor for ${slotWords(active.slot).toLowerCase()} (${active.type})`
                  : 'Scan the next VIN'
              }
              placeholder={active ? 'serial' : 'VIN'}
              inputRef={scanRef}
              onScan={(value) => {
                if (VIN.test(value)) route(`/station/${value}`);
                else if (!SERIAL.test(value)) {
                  setVerdict({
                    tone: 'bad',
                    word: 'NOT RECORDED',
                    serial: value,
                    ...explainStation('NOT_A_SERIAL'),
                  });
                  signal('bad');
                } else void install(value);
              }}
            />
          )}
        </div>
        {spec && (
          <PickList
            site={site}
            catalog={catalog}
            modelTypes={[...new Set(Object.values(spec.slots))]}
            need={active}
            emptyByType={Object.fromEntries([...empty].reverse().map((s) => [s.type, s.slot]))}
            refresh={bufferRead}
            disabled={shipped || removing !== null || verdict.tone === 'busy'}
            onPick={(serial) => {
              scanRef.current?.focus();
              void install(serial);
            }}
            onChooseSlot={(slot) => {
              setPicked(slot);
              scanRef.current?.focus();
            }}
          />
        )}
      </div>
    </>
  );
}
