import { useState } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { MusicalService } from "#gen/outerpark/musical/v1/musical_pb.js";
import { useApp } from "../app-context.js";
import { messageFor } from "../errors.js";
import { price } from "../format.js";

const SALES_REFRESH_MS = 2_000;

export function Manage() {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [seats, setSeats] = useState("100");
  const [seatPrice, setSeatPrice] = useState("100000");
  const register = useMutation(MusicalService.method.registerMusical, {
    transport: api.transports.musical,
    onSuccess: () => {
      setName("");
      void queryClient.invalidateQueries();
    },
  });
  const sales = useQuery(
    MusicalService.method.listMusicals,
    { pageSize: 100 },
    { transport: api.transports.musical, refetchInterval: SALES_REFRESH_MS },
  );

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    register.mutate({ name: name.trim(), totalSeats: Number(seats), seatPrice: BigInt(seatPrice || "0") });
  };

  return (
    <>
      <section aria-labelledby="register-title">
        <h1 id="register-title">Register a musical</h1>
        <form onSubmit={submit} className="stacked">
          <label htmlFor="musical-name">Name</label>
          <input id="musical-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          <label htmlFor="musical-seats">Seats</label>
          <input id="musical-seats" type="number" required min={1} value={seats} onChange={(e) => setSeats(e.target.value)} />
          <label htmlFor="musical-price">Price per seat (KRW)</label>
          <input id="musical-price" type="number" required min={0} step={1} value={seatPrice} onChange={(e) => setSeatPrice(e.target.value)} />
          <button type="submit" disabled={register.isPending}>
            {register.isPending ? "Registering…" : "Register musical"}
          </button>
          {register.error && (
            <p role="alert" className="error">
              {messageFor(register.error, "register")}
            </p>
          )}
          {register.data?.musical && (
            <p role="status" className="ok">
              Registered {register.data.musical.name}.
            </p>
          )}
        </form>
      </section>
      <section aria-labelledby="sales-title">
        <h2 id="sales-title">Sales</h2>
        {sales.error && (
          <p role="alert" className="error">
            {messageFor(sales.error, "browse")}
          </p>
        )}
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Musical</th>
                <th scope="col">Price</th>
                <th scope="col">Seats taken</th>
                <th scope="col">Seats left</th>
              </tr>
            </thead>
            <tbody>
              {sales.data?.musicals.map((m) => (
                <tr key={m.musicalId} data-musical={m.name}>
                  <th scope="row">{m.name}</th>
                  <td>{price(m.seatPrice)}</td>
                  <td data-testid="taken">{m.totalSeats - m.reservableSeats}</td>
                  <td data-testid="left">{m.reservableSeats}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
